"""URLs served on the bare platform host: the central body's site."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("console.urls")),
    path("", include("accounts.urls")),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/platform/", include("console.api.urls")),
    # ESP inbound webhooks (django-anymail); the signal files mail in its council.
    path("inbound/anymail/", include("correspondence.webhooks")),
    path("billing/", include("billing.urls_platform")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
