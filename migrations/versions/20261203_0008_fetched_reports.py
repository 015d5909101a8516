"""Reports fetched from the web: the document's address, when it was fetched, and what each
fetched address gave (validators and digest), so a crawl asks only whether it changed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("report", sa.Column("document_url", sa.Text(), nullable=True))
    op.add_column("report", sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "fetched_url",
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("etag", sa.String(500), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("document_url", sa.Text(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name="fk_fetched_url_report_id_report",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("url", name="pk_fetched_url"),
    )


def downgrade() -> None:
    op.drop_table("fetched_url")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+) rather than batch mode's copy of the table: with
    # foreign keys on, dropping the old report table would cascade to every section and cell.
    with op.batch_alter_table("report", recreate="never") as batch:
        batch.drop_column("fetched_at")
        batch.drop_column("document_url")
