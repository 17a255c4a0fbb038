"""Erasing or correcting a constituent, beside their page (/constituents/<id>/...)."""

from django.urls import path

from privacy import views_constituent

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
