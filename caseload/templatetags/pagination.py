"""`{% page_links page_obj as links %}`: the page numbers a GOV.UK pager shows."""

from __future__ import annotations

from django import template
from django.core.paginator import Page

register = template.Library()


@register.simple_tag
def page_links(page: Page) -> list[int | None]:
    """First, last, the current page and its neighbours; None where pages are left out
    (shown as an ellipsis)."""
    paginator = page.paginator
    return [
        n if isinstance(n, int) else None
        for n in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
