"""What each council schema holds: no index that another index already provides.

Every relation in a council schema is multiplied by the number of councils (catalog memory
in every connection, snapshot replay when provisioning, pg_dump, autovacuum), so an index
has to be earned. A plain B-tree index whose columns (and operator classes) are the leading
columns of another index on the same table is never needed: any plan that could use it, and
every foreign-key check PostgreSQL runs on a delete (`WHERE fk = $1`), can use the longer
index instead. Django adds such an index to every ForeignKey; ours are turned off
(`db_index=False`) where a composite index leads with the column.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, models
from django_tenants.utils import schema_context

from caseload.models import Action, Case, CaseShare, Constituent, Delegation, Referral
from correspondence.models import BatchItem, ThreadMessage
from feedback.models import SurveyResponse
from reminders.models import BF
from tenants.cloning import template_schema_name

# Our apps' tables (third-party tables are as their packages make them).
OURS = ("accounts_", "audit_", "caseload_", "correspondence_", "feedback_", "mailer_", "reminders_")
# Join tables Django creates for a ManyToManyField without a `through` model: it indexes the
# first column on its own beside the unique pair and offers no option to leave it out (an
# explicit through model would, at the price of a data migration per council).
AUTO_M2M = frozenset(
    {
        "accounts_user_groups",
        "accounts_user_user_permissions",
        "caseload_officer_topics",
        "caseload_officer_wards",
    }
)

_PREFIX_INDEXES = """
SELECT t.relname, a.relname, b.relname
FROM pg_index ia
JOIN pg_class a ON a.oid = ia.indexrelid
JOIN pg_class t ON t.oid = ia.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_index ib ON ib.indrelid = ia.indrelid AND ib.indexrelid <> ia.indexrelid
JOIN pg_class b ON b.oid = ib.indexrelid
WHERE n.nspname = %s
  AND NOT ia.indisunique AND ia.indpred IS NULL AND ia.indexprs IS NULL
  AND ib.indpred IS NULL AND ib.indexprs IS NULL
  AND a.relam = (SELECT oid FROM pg_am WHERE amname = 'btree') AND b.relam = a.relam
  AND ib.indnkeyatts >= ia.indnkeyatts
  AND (ib.indkey::int2[])[0:ia.indnkeyatts - 1] = (ia.indkey::int2[])[0:ia.indnkeyatts - 1]
  AND (ib.indclass::oid[])[0:ia.indnkeyatts - 1] = (ia.indclass::oid[])[0:ia.indnkeyatts - 1]
ORDER BY 1, 2
"""


def test_no_council_table_of_ours_has_an_index_another_one_leads_with(db) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_PREFIX_INDEXES, [template_schema_name()])
        redundant = [
            row for row in cursor.fetchall() if row[0].startswith(OURS) and row[0] not in AUTO_M2M
        ]
    assert redundant == [], "indexes another index on the same table leads with: " + ", ".join(
        f"{table}.{index} (led by {by})" for table, index, by in redundant
    )


# (queryset of the lookup the selectors and PostgreSQL's foreign-key checks make, the index
# that must serve it now that the column's own index is gone)
LOOKUPS = [
    (lambda: Action.objects.filter(case_id=1).order_by("-occurred_at", "-id"), "action_case_idx"),
    (lambda: Case.objects.filter(category_id=1), "case_category_updated_idx"),
    (lambda: Case.objects.filter(ward_id=1), "case_ward_updated_idx"),
    (lambda: CaseShare.objects.filter(case_id=1), "caseshare_unique"),
    (lambda: CaseShare.objects.filter(user_id=1), "caseshare_user_idx"),
    (lambda: Constituent.objects.filter(owner_id=1), "constituent_owner_name_idx"),
    (lambda: Delegation.objects.filter(staff_id=1), "delegation_unique"),
    (lambda: Referral.objects.filter(case_id=1).order_by("-sent_at"), "referral_case_idx"),
    (lambda: ThreadMessage.objects.filter(case_id=1), "threadmessage_case_idx"),
    (lambda: BatchItem.objects.filter(batch_id=1), "batchitem_unique_case"),
    (lambda: SurveyResponse.objects.filter(user_id=1), "survey_once_per_month"),
    (lambda: BF.objects.filter(case_id=1).order_by("due_date"), "bf_case_idx"),
]


@pytest.mark.parametrize(("lookup", "index"), LOOKUPS, ids=[index for _, index in LOOKUPS])
def test_each_foreign_key_is_still_served_by_an_index(council_a, lookup, index) -> None:
    queryset: models.QuerySet = lookup()
    with schema_context(council_a.schema_name):
        with connection.cursor() as cursor:
            # Small tables: without this the planner would rightly scan them instead. Set for
            # the session and reset, since SET LOCAL does nothing outside a transaction block.
            cursor.execute("SET enable_seqscan = off")
        try:
            # Without ORDER BY (the model's default ordering would let the planner walk the
            # index of the sort column and filter, as PostgreSQL 18 did): the question is
            # which index finds the rows.
            plan = queryset.order_by().explain()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_seqscan")
    # An index scan, or a bitmap scan of the same index (PostgreSQL 18 picks one when other
    # tests have left rows behind).
    assert re.search(rf"(bitmap )?index (only )?scan (using|on) {index}\b", plan.lower()), plan
