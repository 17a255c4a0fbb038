"""Erasing or correcting a constituent, beside their page (/constituents/<id>/...), and
subject access requests (/subject-access/): the record holder's side of data protection."""

from django.urls import path

from privacy import views_constituent, views_subject_access

app_name = "privacy_casework"

urlpatterns = [
    path(
        "constituents/<int:constituent_id>/erase/",
        views_constituent.constituent_erase,
        name="constituent-erase",
    ),
    path(
        "constituents/<int:constituent_id>/correct/",
        views_constituent.constituent_correct,
        name="constituent-correct",
    ),
]

# Subject access requests: /subject-access/ (the councillor's side, beside their records).
urlpatterns += [
    path("subject-access/", views_subject_access.subject_access_list, name="subject-access-list"),
    path("subject-access/new/", views_subject_access.subject_access_new, name="subject-access-new"),
    path(
        "subject-access/<int:request_id>/",
        views_subject_access.subject_access_detail,
        name="subject-access-detail",
    ),
    path(
        "subject-access/<int:request_id>/confirm/",
        views_subject_access.subject_access_confirm,
        name="subject-access-confirm",
    ),
    path(
        "subject-access/<int:request_id>/extend/",
        views_subject_access.subject_access_extend,
        name="subject-access-extend",
    ),
    path(
        "subject-access/<int:request_id>/clock/",
        views_subject_access.subject_access_pause,
        name="subject-access-clock",
    ),
    path(
        "subject-access/<int:request_id>/close/",
        views_subject_access.subject_access_close,
        name="subject-access-close",
    ),
    path(
        "subject-access/<int:request_id>/archive/",
        views_subject_access.subject_access_archive,
        name="subject-access-archive",
    ),
]
