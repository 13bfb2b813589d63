"""Alembic environment: URL from our settings, metadata from every feature's models."""

from alembic import context
from sqlmodel import SQLModel

from accumulator.db import create_db_engine
from accumulator.models import include_in_comparison  # also imports every table
from accumulator.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    # Tests hand a URL in through the Alembic config; otherwise DATABASE_URL decides.
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        include_object=include_in_comparison,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = create_db_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            include_object=include_in_comparison,
            render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copying them
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
