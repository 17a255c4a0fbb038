"""How a ward key is named wherever the figures are published (feedback.figures)."""

from __future__ import annotations

from datetime import date

from feedback.figures import SUMMED, totals_from_rows, ward_key, ward_label, ward_labels


def test_ward_keys_are_the_code_or_the_wards_number() -> None:
    assert ward_key(7, "S13002891") == "S13002891"
    assert ward_key(12, None) == "ward-12"
    assert ward_key(12, "") == "ward-12"
    assert ward_key(None, None) == "none"


def test_a_ward_is_shown_by_name_with_its_code_when_it_has_one() -> None:
    name = "Annandale East and Eskdale"
    assert ward_label("S13002891", name) == "Annandale East and Eskdale (S13002891)"
    assert ward_label("ward-12", "Lochar") == "Lochar"
    assert ward_label("none") == "No ward recorded"


def test_keys_stored_before_names_were_kept_still_read() -> None:
    assert ward_label("ward-12") == "Ward 12 (no name recorded)"
    assert ward_label("ward-12", "") == "Ward 12 (no name recorded)"
    assert ward_label("S13002884") == "S13002884 (no name recorded)"


def _month(month: date, wards: dict[str, int], **extra) -> dict:
    """A stored month as `.values()` gives it; `extra` may carry `ward_names` (rows stored
    before names were kept have none at all)."""
    return {
        "council_id": 1,
        "month": month,
        "councillors": 10,
        "days_covered": 30,
        **dict.fromkeys(SUMMED, 0),
        "close_days_hist": {},
        "first_action_days_hist": {},
        "cases_by_category": {},
        "cases_by_ward": wards,
        **extra,
    }


def test_old_and_new_rows_add_up_under_one_label_per_ward() -> None:
    old = _month(date(2026, 1, 1), {"ward-12": 10, "S13002891": 5})
    new = _month(
        date(2026, 2, 1),
        {"ward-12": 10, "ward-13": 5},
        ward_names={"ward-12": "Lochar", "ward-13": "Nith"},
    )
    totals = totals_from_rows([old, new])
    assert totals.wards == {"ward-12": 20, "S13002891": 5, "ward-13": 5}
    assert ward_labels(totals) == {
        "ward-12": "Lochar",  # the newer row's name, over both months
        "S13002891": "S13002891 (no name recorded)",
        "ward-13": "Nith",
    }
    assert ward_labels(totals_from_rows([old])) == {
        "ward-12": "Ward 12 (no name recorded)",
        "S13002891": "S13002891 (no name recorded)",
    }
