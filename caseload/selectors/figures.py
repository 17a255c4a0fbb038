"""Casework in numbers, month by month, for the central body's comparison.

Every query is a GROUP BY aggregate over this council's own tables (the connection is in
its schema); what comes back is months, whole numbers of days and counts, plus category
names for the console to map to platform codes, and wards' ONS codes and names (public
electoral geography, shown in the comparison). No row or free text leaves.
Months are calendar months in the platform's time zone (settings.TIME_ZONE).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max

from accounts.models import LoginEvent, User
from caseload.models import Action, Case, Category, Referral, Ward
from caseload.targets import DUE_DATE_COLUMN

# Entries the system writes (status changes, edit records): not "actions" people took.
SYSTEM_ACTION_KINDS = (Action.Kind.STATUS_CHANGE, Action.Kind.UPDATE)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchall()


def _params(**extra: Any) -> dict[str, Any]:
    return {"tz": settings.TIME_ZONE, "system_kinds": [str(k) for k in SYSTEM_ACTION_KINDS]} | extra


LOCAL = "AT TIME ZONE %(tz)s"


@dataclass(frozen=True)
class Durations:
    """Whole-day durations ending in one month: how many, median, 90th percentile and the
    count of each number of days."""

    count: int
    median: float | None
    p90: float | None
    histogram: dict[str, int] = field(default_factory=dict)


def _durations(sql_days: str, params: dict[str, Any]) -> dict[date, Durations]:
    """Per month, the Durations of `sql_days` (a query yielding columns m, days);
    percentile_cont does the medians in the database."""
    rows = _rows(
        f"""
        WITH d AS ({sql_days})
        SELECT m, NULL::integer, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
          FROM d GROUP BY m
        UNION ALL
        SELECT m, days, count(*), NULL, NULL FROM d GROUP BY m, days
        """,
        params,
    )
    totals: dict[date, tuple[int, Any, Any]] = {}
    hists: dict[date, dict[str, int]] = {}
    for month, days, n, median, p90 in rows:
        if days is None:
            totals[month] = (n, median, p90)
        else:
            hists.setdefault(month, {})[str(days)] = n
    return {
        m: Durations(count=n, median=med, p90=p90, histogram=hists.get(m, {}))
        for m, (n, med, p90) in totals.items()
    }


def category_names() -> dict[int, str]:
    """The council's categories by id (names stay here once mapped to platform codes)."""
    return dict(Category.objects.values_list("id", "name"))


def cases_opened_by_month() -> list[
    tuple[date, int | None, int | None, str | None, str | None, int]
]:
    """(month, category id, ward id, the ward's ONS code, the ward's name, cases opened).
    The name is the ward's current one: a renamed ward is one ward, under its new name."""
    return _rows(
        f"""
        SELECT date_trunc('month', c.opened_at {LOCAL})::date, c.category_id, w.id, w.code,
               w.name, count(*)
          FROM {_table(Case)} c LEFT JOIN {_table(Ward)} w ON w.id = c.ward_id
         GROUP BY 1, 2, 3, 4, 5
        """,
        _params(),
    )


def case_close_days_by_month() -> dict[date, Durations]:
    """Cases closed each month: whole days from the local date of opening to closing."""
    return _durations(
        f"""
        SELECT date_trunc('month', closed_at {LOCAL})::date AS m,
               GREATEST(0, (closed_at {LOCAL})::date - (opened_at {LOCAL})::date) AS days
          FROM {_table(Case)} WHERE closed_at IS NOT NULL
        """,
        _params(),
    )


def first_action_days_by_month() -> dict[date, Durations]:
    """Cases opened each month: whole days to the first action a person recorded."""
    return _durations(
        f"""
        SELECT date_trunc('month', f.opened_at {LOCAL})::date AS m,
               GREATEST(0, (f.first_at {LOCAL})::date - (f.opened_at {LOCAL})::date) AS days
          FROM (SELECT c.opened_at, min(a.occurred_at) AS first_at
                  FROM {_table(Case)} c
                  JOIN {_table(Action)} a
                    ON a.case_id = c.id AND a.kind <> ALL(%(system_kinds)s)
                 GROUP BY c.id, c.opened_at) f
        """,
        _params(),
    )


def referrals_due_by_month(*, today: date) -> list[tuple[date, int, int, int]]:
    """(month, referrals whose ORIGINAL target fell in it and has passed or been answered,
    of those answered by that target, of those given more time). On time is
    caseload.targets' rule (stored as target_met); an extension never makes a reply on time,
    it is counted in the last column instead."""
    due = DUE_DATE_COLUMN
    return _rows(
        f"""
        SELECT date_trunc('month', {due})::date, count(*),
               count(*) FILTER (WHERE target_met),
               count(*) FILTER (WHERE target_date <> {due})
          FROM {_table(Referral)}
         WHERE replied_at IS NOT NULL OR {due} < %(today)s
         GROUP BY 1
        """,
        _params(today=today),
    )


def actions_by_month() -> list[tuple[date, int, int, int, int]]:
    """(month, actions people recorded, distinct cases they cover, minutes recorded on any
    entry, distinct cases with time recorded)."""
    return _rows(
        f"""
        SELECT date_trunc('month', occurred_at {LOCAL})::date,
               count(*) FILTER (WHERE kind <> ALL(%(system_kinds)s)),
               count(DISTINCT case_id) FILTER (WHERE kind <> ALL(%(system_kinds)s)),
               coalesce(sum(time_spent_minutes), 0),
               count(DISTINCT case_id) FILTER (WHERE time_spent_minutes IS NOT NULL)
          FROM {_table(Action)}
         GROUP BY 1
        """,
        _params(),
    )


def councillor_activity_by_month() -> list[tuple[date, int, int]]:
    """(month, councillors who signed in or recorded an action, themselves or through
    staff on their behalf; councillors' sign-ins)."""
    return _rows(
        f"""
        WITH councillor AS (SELECT id FROM {_table(User)} WHERE role = 'councillor'),
        activity AS (
            SELECT date_trunc('month', l.at {LOCAL})::date AS m, l.user_id, 1 AS login
              FROM {_table(LoginEvent)} l JOIN councillor ON councillor.id = l.user_id
            UNION ALL
            SELECT date_trunc('month', a.occurred_at {LOCAL})::date,
                   coalesce(a.on_behalf_of_id, a.author_id), 0
              FROM {_table(Action)} a
              JOIN councillor ON councillor.id = coalesce(a.on_behalf_of_id, a.author_id)
             -- An officer's own entry (their reply) is not the councillor's activity.
             WHERE a.officer_id IS NULL
        )
        SELECT m, count(DISTINCT user_id), sum(login) FROM activity GROUP BY m
        """,
        _params(),
    )


def last_action_at() -> datetime | None:
    return Action.objects.aggregate(last=Max("created_at"))["last"]
