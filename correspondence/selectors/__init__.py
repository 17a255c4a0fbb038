"""Reads for correspondence, scoped to the reader."""

from correspondence.selectors.context import (
    correspondence_settings_get,
    council_name,
    letterhead_logo_get,
    merge_context,
    sample_context,
)
from correspondence.selectors.inbound import (
    batch_get_for_user,
    batch_items,
    batch_list_for_user,
    batch_print_attachments,
    triage_get,
    triage_list,
)
from correspondence.selectors.templates import (
    EffectiveTemplate,
    template_get_effective,
    template_get_shared_original,
    template_list_effective,
)

__all__ = [
    "EffectiveTemplate",
    "batch_get_for_user",
    "batch_items",
    "batch_list_for_user",
    "batch_print_attachments",
    "correspondence_settings_get",
    "council_name",
    "letterhead_logo_get",
    "merge_context",
    "sample_context",
    "template_get_effective",
    "template_get_shared_original",
    "template_list_effective",
    "triage_get",
    "triage_list",
]
