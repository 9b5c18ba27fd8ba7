"""CHECK constraints compare with each allowed value instead of testing an IN list.

Revision ID: 0007
Revises: 0006

SQLite evaluates `grade IN ('blue', 'yellow', 'red', 'black')` by building a temporary b-tree
of the four values, on every row written; an OR of comparisons costs a few instructions.
A first scoring of 100,000 customers checks eight such constraints per customer, and the
temporary b-trees were half of the instructions SQLite ran for it. Same rules, same names;
on SQLite the tables are rebuilt (batch mode), on PostgreSQL the constraints are replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GRADES = ("blue", "yellow", "red", "black")
# table -> (column, allowed values, NULL allowed), as created by 0001
_CHECKS: dict[str, tuple[tuple[str, tuple[str, ...], bool], ...]] = {
    "customers": (("computed_grade", _GRADES, True), ("effective_grade", _GRADES, True),
                  ("held_grade", _GRADES, True)),
    "assessments": (("grade", _GRADES, True),),
    "grade_changes": (("from_grade", _GRADES, True), ("kind", ("computed", "manual"), False),
                      ("status", ("auto_applied", "pending", "approved", "rejected", "superseded", "withdrawn"), False),
                      ("to_grade", _GRADES, False)),
    "nudges": (("kind", ("nudge", "escalation"), False),),
    "write_offs": (("status", ("pending", "approved", "rejected"), False),),
    "tasks": (("kind", ("collection", "legal_collection"), False), ("status", ("open", "closed"), False)),
}


def _compared(column: str, values: tuple[str, ...], nullable: bool) -> str:
    test = " OR ".join(f"{column} = '{v}'" for v in values)
    return f"{column} IS NULL OR {test}" if nullable else test


def _listed(column: str, values: tuple[str, ...], nullable: bool) -> str:
    test = f"{column} IN ({', '.join(repr(v) for v in values)})"
    return f"{column} IS NULL OR {test}" if nullable else test


def _replace(text_of: Callable[[str, tuple[str, ...], bool], str]) -> None:
    for table, checks in _CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for column, values, nullable in checks:
                name = op.f(f"ck_{table}_{column}")
                batch.drop_constraint(name, type_="check")
                batch.create_check_constraint(name, sa.text(text_of(column, values, nullable)))


def upgrade() -> None:
    _replace(_compared)


def downgrade() -> None:
    _replace(_listed)
