from __future__ import annotations

from django.db import models
from django.db.models import Q


class Audience(models.TextChoices):
    CONSTITUENT = "constituent", "Constituent"
    OFFICER = "officer", "Council officer"


class SharedTemplate(models.Model):
    """A correspondence template every council gets, unless it keeps its own copy.

    `version` goes up by one on every change, so a council's copy can tell that the shared
    template moved on since it was copied (CouncilTemplate.based_on_version).
    """

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    is_standard = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=["constituent", "officer"]),
                name="sharedtemplate_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(key__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
                name="sharedtemplate_key_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name
