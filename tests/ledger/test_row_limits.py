"""The row check's limits are the ledger's columns: a value the check lets through always fits."""

from __future__ import annotations

from sqlalchemy import Integer

from spreadsheets.rows import MAX_LENGTH, NUMERIC
from storage.models import Customer, CustomerAlias


def test_text_limits_are_the_column_lengths() -> None:
    columns = Customer.__table__.c
    stored = {key: columns[key].type.length for key in ("name", "industry", "sales_owner", "risk_officer")}
    stored["aliases"] = CustomerAlias.__table__.c.alias.type.length
    assert MAX_LENGTH == stored


def test_number_limits_are_the_column_types() -> None:
    columns = Customer.__table__.c
    assert NUMERIC == {key: (columns[key].type.precision, columns[key].type.scale) for key in NUMERIC}
    assert isinstance(columns["credit_terms_days"].type, Integer)
