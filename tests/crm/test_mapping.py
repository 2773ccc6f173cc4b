"""Field mapping validation: bad names refuse the whole form; good ones are saved."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import DomainError
from crm.files.fields import SCORE_FIELDS
from crm.files.mapping import default_mapping, parse_mapping_form


def form(crm: str, **overrides: Any) -> dict[str, Any]:
    mapping = default_mapping(crm)
    data: dict[str, Any] = {"key_field": mapping.key_field}
    for name, api_name in mapping.fields:
        data[f"include_{name}"] = "1"
        data[f"field_{name}"] = api_name
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_defaults_round_trip() -> None:
    for crm in ("salesforce", "hubspot"):
        assert parse_mapping_form(crm, form(crm)) == default_mapping(crm)


def test_order_follows_score_fields_and_unchecked_are_left_out() -> None:
    data = form("salesforce", include_band=None, include_breadth="1", field_breadth="Breadth__c")
    mapping = parse_mapping_form("salesforce", data)
    names = [name for name, _ in mapping.fields]
    assert "band" not in names and "breadth" in names
    order = [f.name for f in SCORE_FIELDS]
    assert names == sorted(names, key=order.index)


@pytest.mark.parametrize(
    ("crm", "overrides", "bad_field"),
    [
        ("salesforce", {"field_score": ""}, "field_score"),
        ("salesforce", {"field_score": "Engagement Score"}, "field_score"),
        ("salesforce", {"field_score": "Engagement_Score"}, "field_score"),  # not custom
        ("salesforce", {"field_score": "Bad__Name__c__c"}, "field_score"),
        ("salesforce", {"field_score": "_Score__c"}, "field_score"),
        ("salesforce", {"field_band": "Engagement_Score__c"}, "field_band"),  # duplicate
        ("salesforce", {"key_field": ""}, "key_field"),
        ("salesforce", {"key_field": "Name"}, "key_field"),
        ("salesforce", {"field_trend": "Id"}, "field_trend"),
        ("hubspot", {"field_score": "Engagement_Score"}, "field_score"),  # upper case
        ("hubspot", {"field_band": "engagement_score"}, "field_band"),
        ("hubspot", {"key_field": "engagement_score"}, "field_score"),  # key reused
        ("hubspot", {"field_events": "   "}, "field_events"),
    ],
)
def test_bad_names_are_refused(crm: str, overrides: dict[str, Any], bad_field: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_mapping_form(crm, form(crm, **overrides))
    assert bad_field in caught.value.field_errors


def test_namespaced_salesforce_fields_are_accepted() -> None:
    mapping = parse_mapping_form(
        "salesforce", form("salesforce", key_field="kz__Account_Ref__c", field_score="kz__Score__c")
    )
    assert mapping.key_field == "kz__Account_Ref__c"
    assert dict(mapping.fields)["score"] == "kz__Score__c"


def test_nothing_chosen_is_refused() -> None:
    data = {"key_field": "Id"}
    with pytest.raises(DomainError) as caught:
        parse_mapping_form("salesforce", data)
    assert "__all__" in caught.value.field_errors
