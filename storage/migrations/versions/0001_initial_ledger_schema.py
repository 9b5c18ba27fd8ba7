"""Initial ledger schema: customers, history, grade changes, follow-ups, nudges, alerts, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Hand-checked after autogenerate. Types are spelled out (no imports from storage.models) so
this revision keeps meaning the same thing when the models move on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSONB on PostgreSQL, JSON text on SQLite (as storage.types.JsonDocument).
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("industry", sa.String(length=255), nullable=True),
        sa.Column("profile", sa.String(length=64), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("avg_payment_days", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column("credit_terms_days", sa.Integer(), nullable=True),
        sa.Column("outstanding_amount", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("sales_owner", sa.String(length=255), nullable=True),
        sa.Column("risk_officer", sa.String(length=255), nullable=True),
        sa.Column("values", JSON, nullable=False),
        sa.Column("parts", JSON, nullable=True),
        sa.Column("effective_grade", sa.String(length=8), nullable=True),
        sa.Column("grade_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("held_grade", sa.String(length=8), nullable=True),
        sa.Column("computed_grade", sa.String(length=8), nullable=True),
        sa.Column("score", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("profile_name", sa.String(length=64), nullable=True),
        sa.Column("last_followup_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("needs_rescore", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "computed_grade IS NULL OR computed_grade IN ('blue', 'yellow', 'red', 'black')",
            name=op.f("ck_customers_computed_grade"),
        ),
        sa.CheckConstraint(
            "effective_grade IS NULL OR effective_grade IN ('blue', 'yellow', 'red', 'black')",
            name=op.f("ck_customers_effective_grade"),
        ),
        sa.CheckConstraint(
            "held_grade IS NULL OR held_grade IN ('blue', 'yellow', 'red', 'black')",
            name=op.f("ck_customers_held_grade"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_customers_credit_code")),
    )
    op.create_index(
        op.f("ix_customers_needs_rescore"),
        "customers",
        ["needs_rescore"],
        unique=False,
    )
    op.create_index(op.f("ix_customers_next_due"), "customers", ["next_due"], unique=False)
    op.create_index(op.f("ix_customers_risk_officer"), "customers", ["risk_officer"], unique=False)
    op.create_index(op.f("ix_customers_sales_owner"), "customers", ["sales_owner"], unique=False)

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(
        op.f("ix_processed_events_received_at"),
        "processed_events",
        ["received_at"],
        unique=False,
    )

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=255), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_alerts_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "customer_id",
            "indicator",
            "change",
            name=op.f("uq_alerts_customer_id_indicator_change"),
        ),
    )
    op.create_index(op.f("ix_alerts_sent_at"), "alerts", ["sent_at"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("breakdown", JSON, nullable=False),
        sa.Column("floors", JSON, nullable=False),
        sa.Column("profile_name", sa.String(length=64), nullable=False),
        sa.Column("profile_version", sa.String(length=64), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "grade IS NULL OR grade IN ('blue', 'yellow', 'red', 'black')",
            name=op.f("ck_assessments_grade"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_assessments_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(
        "ix_assessments_customer_at",
        "assessments",
        ["customer_id", "assessed_at"],
        unique=False,
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_audit_log_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_customer_at", "audit_log", ["customer_id", "at"], unique=False)

    op.create_table(
        "customer_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_aliases_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_aliases")),
    )
    op.create_index(op.f("ix_customer_aliases_alias"), "customer_aliases", ["alias"], unique=False)
    op.create_index(
        op.f("ix_customer_aliases_customer_id"),
        "customer_aliases",
        ["customer_id"],
        unique=False,
    )

    op.create_table(
        "followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_channel", sa.String(length=32), nullable=True),
        sa.Column("source_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_followups_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followups")),
        sa.UniqueConstraint(
            "source_channel",
            "source_ts",
            name=op.f("uq_followups_source_channel_source_ts"),
        ),
    )
    op.create_index(
        "ix_followups_customer_at",
        "followups",
        ["customer_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "grade_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("from_grade", sa.String(length=8), nullable=True),
        sa.Column("to_grade", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("last_raised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "from_grade IS NULL OR from_grade IN ('blue', 'yellow', 'red', 'black')",
            name=op.f("ck_grade_changes_from_grade"),
        ),
        sa.CheckConstraint("kind IN ('computed', 'manual')", name=op.f("ck_grade_changes_kind")),
        sa.CheckConstraint(
            "status IN ('auto_applied', 'pending', 'approved', 'rejected', 'superseded', 'withdrawn')",
            name=op.f("ck_grade_changes_status"),
        ),
        sa.CheckConstraint(
            "to_grade IN ('blue', 'yellow', 'red', 'black')",
            name=op.f("ck_grade_changes_to_grade"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_grade_changes_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["grade_changes.id"],
            name=op.f("fk_grade_changes_superseded_by_id_grade_changes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_changes")),
    )
    op.create_index(
        "ix_grade_changes_customer_at",
        "grade_changes",
        ["customer_id", "requested_at"],
        unique=False,
    )
    op.create_index(
        "ix_grade_changes_status_at",
        "grade_changes",
        ["status", "requested_at"],
        unique=False,
    )
    op.create_index(
        "uq_grade_changes_one_pending",
        "grade_changes",
        ["customer_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value_num", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_indicator_values_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
    )
    op.create_index(
        "ix_indicator_values_customer_key_at",
        "indicator_values",
        ["customer_id", "key", "observed_at"],
        unique=False,
    )

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('nudge', 'escalation')", name=op.f("ck_nudges_kind")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_nudges_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint(
            "kind",
            "owner",
            "customer_id",
            "due_date",
            name=op.f("uq_nudges_kind_owner_customer_id_due_date"),
        ),
    )
    op.create_index(op.f("ix_nudges_customer_id"), "nudges", ["customer_id"], unique=False)
    op.create_index("ix_nudges_sent_claimed", "nudges", ["sent_at", "claimed_at"], unique=False)

    op.create_table(
        "write_offs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_write_offs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_write_offs_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_offs")),
    )
    op.create_index(op.f("ix_write_offs_customer_id"), "write_offs", ["customer_id"], unique=False)
    op.create_index(
        "ix_write_offs_status_at",
        "write_offs",
        ["status", "requested_at"],
        unique=False,
    )

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("grade_change_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=255), nullable=True),
        sa.Column("write_off_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('collection', 'legal_collection')",
            name=op.f("ck_tasks_kind"),
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_tasks_status")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_tasks_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["grade_change_id"],
            ["grade_changes.id"],
            name=op.f("fk_tasks_grade_change_id_grade_changes"),
        ),
        sa.ForeignKeyConstraint(
            ["write_off_id"],
            ["write_offs.id"],
            name=op.f("fk_tasks_write_off_id_write_offs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    op.create_index("ix_tasks_customer_status", "tasks", ["customer_id", "status"], unique=False)



def downgrade() -> None:
    op.drop_table("tasks")
    op.drop_table("write_offs")
    op.drop_table("nudges")
    op.drop_table("indicator_values")
    op.drop_table("grade_changes")
    op.drop_table("followups")
    op.drop_table("customer_aliases")
    op.drop_table("audit_log")
    op.drop_table("assessments")
    op.drop_table("alerts")
    op.drop_table("processed_events")
    op.drop_table("customers")
