"""The SLA clocks' pause (issue 22): a list filter and the paused seconds reports subtract.

Revision ID: 0005_pausing
Revises: 0004_intake
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_pausing"
down_revision: str | None = "0004_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every escalation before this was never paused: false and zero, written by the server.
    op.add_column("escalations", sa.Column("paused", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    op.add_column("escalations", sa.Column("paused_total", sa.Integer(), nullable=False,
                                           server_default="0"))
    # The paused seconds before the acknowledgement and before the declared resolution: what
    # the SLA report takes out of the time to each.
    for name in ("paused_before_acknowledgement", "paused_before_resolution"):
        op.add_column("escalations", sa.Column(name, sa.Integer(), nullable=False,
                                               server_default="0"))
    op.create_index("ix_escalations_paused", "escalations", ["paused"])


def downgrade() -> None:
    op.drop_index("ix_escalations_paused", table_name="escalations")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("paused_before_resolution")
        batch.drop_column("paused_before_acknowledgement")
        batch.drop_column("paused_total")
        batch.drop_column("paused")
