"""Social intake: posts, the group keys of escalations they joined, spike escalations.

Revision ID: 0004_intake
Revises: 0003_complaints
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_intake"
down_revision: str | None = "0003_complaints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("post_id", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_handle", sa.String(length=200), nullable=False),
        sa.Column("author_json", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.String(length=120), nullable=True),
        sa.Column("customer_json", sa.Text(), nullable=True),
        sa.Column("thread_id", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("temperature", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("escalation_id", sa.String(length=64), nullable=True),
        sa.Column("founder", sa.Boolean(), nullable=False),
        sa.Column("keys_json", sa.Text(), nullable=False),
        sa.Column("services_json", sa.Text(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("channel", "post_id"),
    )
    op.create_index("ix_posts_author", "posts", ["channel", "author_handle", "posted_at"])
    op.create_index("ix_posts_category_time", "posts", ["category", "temperature", "posted_at"])
    op.create_index("ix_posts_customer_id", "posts", ["customer_id"])
    op.create_index("ix_posts_escalation", "posts", ["escalation_id", "posted_at"])
    op.create_index("ix_posts_posted_hour", "posts", ["posted_hour"])

    op.create_table(
        "intake_keys",
        sa.Column("escalation_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("escalation_id", "key"),
    )
    op.create_index("ix_intake_keys_key", "intake_keys", ["key", "last_at"])

    op.create_table(
        "intake_spikes",
        sa.Column("escalation_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_count", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("samples_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("escalation_id"),
    )
    op.create_index("ix_intake_spikes_category", "intake_spikes", ["category"])


def downgrade() -> None:
    op.drop_table("intake_spikes")
    op.drop_table("intake_keys")
    op.drop_table("posts")
