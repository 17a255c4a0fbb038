"""URLs served on the bare platform host: the central body's site."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("console.urls")),
    path("", include("accounts.urls")),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/platform/", include("billing.api.urls_platform")),
    path("billing/", include("billing.urls_stripe")),
    path("licences/", include("billing.urls_console")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
