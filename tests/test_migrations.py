"""The migrations: one head, upgrade → downgrade → upgrade, and models that match them."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from app.migrate import alembic_config
from app.models import Base


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_upgrade_downgrade_upgrade(engine: Engine) -> None:
    tables = set(Base.metadata.tables)
    with engine.connect() as conn:
        config = alembic_config(connection=conn)
        command.downgrade(config, "base")
        conn.commit()
        assert not tables & set(inspect(conn).get_table_names())
        command.upgrade(config, "head")
        conn.commit()
        assert tables <= set(inspect(conn).get_table_names())
