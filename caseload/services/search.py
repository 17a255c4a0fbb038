"""The cases' full-text vectors (title, constituent name, description, action texts)."""

from __future__ import annotations

from django.db import connection

_SEARCH_SQL = """
UPDATE caseload_case c SET search_vector =
    setweight(to_tsvector('english', coalesce(c.title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(k.name, '')), 'A')
    || setweight(to_tsvector('english', coalesce(c.description, '')), 'B')
    || setweight(to_tsvector('english', coalesce(
        (SELECT string_agg(a.text, ' ') FROM caseload_action a WHERE a.case_id = c.id), ''
    )), 'C')
FROM caseload_constituent k
WHERE k.id = c.constituent_id AND c.id = ANY(%s)
"""


def case_refresh_search_vector(*, case_ids: list[int]) -> None:
    """Recompute the full-text vector of these cases from title, constituent name,
    description and all action texts."""
    if not case_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_SEARCH_SQL, [list(case_ids)])


def append_search_text(case_id: int, text: str) -> None:
    # Cheaper than a full refresh: an action's text is only ever added, never changed.
    if not text.strip():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE caseload_case SET search_vector = coalesce(search_vector, ''::tsvector)"
            " || setweight(to_tsvector('english', %s), 'C') WHERE id = %s",
            [text, case_id],
        )
