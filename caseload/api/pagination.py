"""Pagination for the caseload API.

Lists use keyset (cursor) pagination on (-updated_at, -id): the cursor carries the last
row's position, so page 1,000 costs the same index range scan as page 1. Search results are
ordered by rank, which is computed per request, so they use limit/offset pages instead: the
cost of a search is ranking its matches (done for page 1 too), and a top-N sort up to
`offset + limit` adds little; offsets are capped so nobody can ask for the millionth row.
Neither style counts the whole result, which would cost a full scan.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.errors import ValidationFailed


class UpdatedCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-updated_at", "-id")


class NameCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("name", "id")


class RankedPagination:
    """limit/offset pages without a COUNT: one extra row tells whether there is a next page."""

    default_limit = 25
    max_limit = 100
    max_offset = 1000

    def __init__(self) -> None:
        self.limit = self.default_limit
        self.offset = 0
        self.has_next = False
        self.url = ""

    @staticmethod
    def _int(request: Request, name: str, default: int) -> int:
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return default
        if not str(raw).isdigit():
            raise ValidationFailed(f"{name} is a whole number.", extra={name: ["A whole number."]})
        return int(str(raw))

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request) -> list[Any]:
        self.url = request.build_absolute_uri()
        self.limit = max(1, min(self._int(request, "limit", self.default_limit), self.max_limit))
        self.offset = self._int(request, "offset", 0)
        if self.offset > self.max_offset:
            raise ValidationFailed(
                f"Search pages stop at offset {self.max_offset}; narrow the search instead.",
                extra={"offset": [f"At most {self.max_offset}."]},
            )
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        return rows[: self.limit]

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = replace_query_param(self.url, "limit", self.limit)
        return replace_query_param(url, "offset", self.offset + self.limit)

    def get_previous_link(self) -> str | None:
        if self.offset <= 0:
            return None
        url = replace_query_param(self.url, "limit", self.limit)
        previous = max(0, self.offset - self.limit)
        if previous == 0:
            return remove_query_param(url, "offset")
        return replace_query_param(url, "offset", previous)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )
