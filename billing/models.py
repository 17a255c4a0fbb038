from __future__ import annotations

from django.db import models


class LicenceState(models.TextChoices):
    TRIAL = "trial", "Trial"
    TRIAL_EXTENDED = "trial_extended", "Trial (extended)"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    LAPSED = "lapsed", "Lapsed (read-only)"
    CANCELLED = "cancelled", "Cancelled (read-only)"


class Licence(models.Model):
    """A council's right to use the platform. Lives in the public schema."""

    council = models.OneToOneField(
        "tenants.Council", on_delete=models.CASCADE, related_name="licence"
    )
    state = models.CharField(
        max_length=20, choices=LicenceState.choices, default=LicenceState.TRIAL, db_index=True
    )
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    seats = models.PositiveIntegerField(default=10)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["council__name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="licence_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.council}: {self.get_state_display()}"


class LicenceTransition(models.Model):
    """One row per state change: who, when, why. Append-only."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=LicenceState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=LicenceState.choices)
    actor = models.CharField(max_length=254)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.from_state or 'none'} -> {self.to_state}"
