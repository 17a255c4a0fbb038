"""Model pieces every app shares. Abstract only: core has no tables."""

from __future__ import annotations

from django.db import models


class TimeStamped(models.Model):
    """`created_at` and `updated_at`, kept by the database layer on every save."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
