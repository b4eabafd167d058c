"""The store's first schema: escalations, timeline, RCA tasks, deliveries, closed records.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("customer_id", sa.String(length=120), nullable=True),
        sa.Column("temperature", sa.String(length=8), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("sla_notice", sa.String(length=10), nullable=False),
        sa.Column("sla_acknowledge", sa.String(length=10), nullable=False),
        sa.Column("sla_resolve", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notice_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledge_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolve_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_declared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("view_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalations_breached", "escalations", ["breached"])
    op.create_index("ix_escalations_created_id", "escalations", ["created_at", "id"])
    op.create_index(
        "ix_escalations_customer_created", "escalations", ["customer_id", "created_at"]
    )
    op.create_index("ix_escalations_priority", "escalations", ["priority"])
    op.create_index("ix_escalations_status_stage", "escalations", ["status", "stage"])
    op.create_index("ix_escalations_team", "escalations", ["team"])

    op.create_table(
        "timeline_entries",
        sa.Column("escalation_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("escalation_id", "seq"),
    )

    op.create_table(
        "rca_tasks",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("escalation_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("assignee", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_title", sa.String(length=200), nullable=False),
        sa.Column("escalation_priority", sa.String(length=4), nullable=False),
        sa.Column("customer_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rca_tasks_assignee", "rca_tasks", ["assignee"])
    op.create_index("ix_rca_tasks_escalation_id", "rca_tasks", ["escalation_id"])
    op.create_index("ix_rca_tasks_status", "rca_tasks", ["status"])

    op.create_table(
        "deliveries",
        sa.Column("notification_id", sa.String(length=200), nullable=False),
        sa.Column("escalation_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient_name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("notification_id"),
    )
    op.create_index("ix_deliveries_escalation_id", "deliveries", ["escalation_id"])

    op.create_table(
        "closed_records",
        sa.Column("escalation_id", sa.String(length=64), nullable=False),
        sa.Column("record", sa.String(length=120), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("escalation_id", "record"),
    )


def downgrade() -> None:
    op.drop_table("closed_records")
    op.drop_table("deliveries")
    op.drop_table("rca_tasks")
    op.drop_table("timeline_entries")
    op.drop_table("escalations")
