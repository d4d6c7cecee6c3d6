"""Alembic's environment: migrations run on the connection :mod:`bot.storage.migrate` hands
over (``config.attributes["connection"]``), never on one of their own."""

from __future__ import annotations

from alembic import context

from bot.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
