"""The console: each escalation's next deadline (the board's order) and page presence.

Revision ID: 0002_console
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision: str = "0002_console"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _backfill() -> None:
    """next_due of the escalations stored before this revision, from their views."""
    # Imported here: the rule is the domain's (domain/clocks.py), not frozen in this file.
    from domain.clocks import next_due
    from domain.models import EscalationView

    connection = op.get_bind()
    table = sa.table("escalations", sa.column("id", sa.String()),
                     sa.column("view_json", sa.Text()),
                     sa.column("next_due", sa.DateTime(timezone=True)))
    rows = connection.execute(sa.select(table.c.id, table.c.view_json)
                              .where(table.c.view_json.is_not(None)))
    for escalation_id, view_json in rows.fetchall():
        due = next_due(EscalationView.model_validate_json(view_json))
        if due is not None:
            connection.execute(table.update().where(table.c.id == escalation_id)
                               .values(next_due=due.astimezone(UTC)))


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("next_due", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_escalations_status_next_due", ["status", "next_due", "id"])
    _backfill()
    op.create_table(
        "console_presence",
        sa.Column("escalation_id", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column("activity", sa.String(length=60), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("escalation_id", "person"),
    )
    op.create_index("ix_console_presence_escalation_seen", "console_presence",
                    ["escalation_id", "seen_at"])


def downgrade() -> None:
    op.drop_index("ix_console_presence_escalation_seen", table_name="console_presence")
    op.drop_table("console_presence")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_index("ix_escalations_status_next_due")
        batch.drop_column("next_due")
