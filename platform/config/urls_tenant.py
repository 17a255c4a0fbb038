"""URLs served on a council's host (<slug>.<PLATFORM_DOMAIN>)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    # The web pages: the dashboard at / (reminders.urls), then /cases/, /constituents/,
    # /officers/, /surgery/, /admin-area/ (caseload.urls).
    path("", include("reminders.urls")),
    path("", include("caseload.urls")),
    path("admin-area/retention/", include("privacy.urls")),
    path("", include("privacy.urls_constituent")),
    # Writing a letter or email from a case: /cases/<id>/write/.
    path("", include("correspondence.urls_case_writing")),
    path("", include("accounts.urls")),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("caseload.api.urls")),
    path("api/v1/", include("correspondence.api.urls")),
    # Officers reply to a referral here without an account.
    path("", include("correspondence.urls_officer_reply")),
    path("api/v1/", include("billing.api.urls_council")),
    path("api/v1/", include("reminders.api.urls")),
    path("api/v1/", include("privacy.api.urls")),
    path("billing/", include("billing.urls_council")),
    path("survey/", include("feedback.urls")),
    # The two-admin casework export: /data-exit/ and /api/v1/data-exits/.
    path("", include("dataexit.urls")),
    path("api/v1/", include("dataexit.api.urls")),
    # The council's own figures against the pilot's six criteria.
    path("evaluation/", include("feedback.urls_evaluation")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from a pinned local copy (drf-spectacular-sidecar), its script a file of
    # its own (the split view), so the page runs under the CSP with no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# Under /api/, errors answer in the API's JSON shape; elsewhere, the site's error pages.
handler400 = "core.error_views.bad_request"
handler403 = "core.error_views.permission_denied"
handler404 = "core.error_views.page_not_found"
handler500 = "core.error_views.server_error"
