from django.urls import path

from console.views import comparison, councils, dashboard, licences, public, reports, staff, trials

app_name = "console"

urlpatterns = [
    path("", dashboard.home, name="home"),
    # Public: anyone may ask for a trial.
    path("start-trial/", public.trial_request_view, name="trial-request"),
    path("start-trial/sent/", public.trial_sent_view, name="trial-sent"),
    path("start-trial/confirm/<str:token>/", public.trial_confirm_view, name="trial-confirm"),
    # Central body staff only.
    path("councils/", councils.directory_view, name="directory"),
    path("councils/new/", councils.onboarding_new_view, name="onboarding-new"),
    path("councils/jobs/<int:pk>/", councils.onboarding_job_view, name="onboarding-job"),
    path(
        "councils/jobs/<int:pk>/resend-welcome/",
        councils.onboarding_resend_view,
        name="onboarding-resend",
    ),
    path(
        "councils/jobs/<int:pk>/queue-again/",
        councils.onboarding_requeue_view,
        name="onboarding-requeue",
    ),
    path("staff/", staff.staff_list_view, name="staff"),
    path("staff/<int:pk>/", staff.staff_sign_in_view, name="staff-sign-in"),
    path("trial-requests/", trials.queue_view, name="trial-queue"),
    path("trial-requests/<int:pk>/", trials.trial_detail_view, name="trial-detail"),
    path("trial-requests/<int:pk>/approve/", trials.trial_approve_view, name="trial-approve"),
    path("trial-requests/<int:pk>/decline/", trials.trial_decline_view, name="trial-decline"),
    path("trial-requests/email-domains/", trials.domains_view, name="allowed-domains"),
    path(
        "trial-requests/email-domains/<int:pk>/remove/",
        trials.domain_remove_view,
        name="allowed-domain-remove",
    ),
    path("comparison/", comparison.comparison_view, name="comparison"),
    path("comparison/download.csv", comparison.comparison_csv_view, name="comparison-csv"),
    path("comparison/refresh/", comparison.comparison_refresh_view, name="comparison-refresh"),
    path("licences/", licences.licence_list_view, name="licence-list"),
    path("licences/<slug:slug>/", licences.licence_detail_view, name="licence-detail"),
    path("licences/<slug:slug>/extend/", licences.licence_extend_view, name="licence-extend"),
    path("licences/<slug:slug>/convert/", licences.licence_convert_view, name="licence-convert"),
    path("licences/<slug:slug>/cancel/", licences.licence_cancel_view, name="licence-cancel"),
    path(
        "licences/<slug:slug>/delete-data/",
        licences.licence_delete_data_view,
        name="licence-delete-data",
    ),
    path("reports/", reports.reports_view, name="reports"),
    path(
        "reports/evaluation.<str:fmt>",
        reports.all_report_view,
        name="report-all",
    ),
    path(
        "reports/<slug:slug>/evaluation.<str:fmt>",
        reports.council_report_view,
        name="report-council",
    ),
]
