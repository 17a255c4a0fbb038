"""URLs served on the bare platform host: the central body's site."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("console.urls")),
    path("", include("accounts.urls")),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/platform/", include("console.api.urls")),
    # ESP inbound webhooks (django-anymail); the signal files mail in its council.
    path("inbound/anymail/", include("correspondence.webhooks")),
    path("billing/", include("billing.urls_platform")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from a pinned local copy (drf-spectacular-sidecar), its script a file of
    # its own (the split view), so the page runs under the CSP with no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
