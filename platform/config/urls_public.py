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
    # The central body's own API (this URLconf's), not the councils' (ROOT_URLCONF).
    path(
        "api/schema/",
        SpectacularAPIView.as_view(
            urlconf="config.urls_public",
            custom_settings={
                "TITLE": "Councillor Caseload central API",
                "DESCRIPTION": "The central body's API, on the platform's own host: councils "
                "(onboarding), licences, comparison figures and shared templates.",
            },
        ),
        name="schema",
    ),
    # Swagger UI from a pinned local copy (drf-spectacular-sidecar), its script a file of
    # its own (the split view), so the page runs under the CSP with no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# Under /api/, errors answer in the API's JSON shape; elsewhere, the site's error pages.
handler400 = "core.error_views.bad_request"
handler403 = "core.error_views.permission_denied"
handler404 = "core.error_views.page_not_found"
handler500 = "core.error_views.server_error"
