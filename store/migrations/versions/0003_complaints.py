"""The complaint record's columns: what the IDR export selects a reporting period by.

Revision ID: 0003_complaints
Revises: 0002_console
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_complaints"
down_revision: str | None = "0002_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: every escalation before, and every one without a complaint kind, has none.
    op.add_column("escalations",
                  sa.Column("complaint_reference", sa.String(length=60), nullable=True))
    op.add_column("escalations",
                  sa.Column("complaint_received_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("escalations",
                  sa.Column("complaint_closed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_escalations_complaint_received_at", "escalations",
                    ["complaint_received_at"])


def downgrade() -> None:
    op.drop_index("ix_escalations_complaint_received_at", table_name="escalations")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("complaint_closed_at")
        batch.drop_column("complaint_received_at")
        batch.drop_column("complaint_reference")
