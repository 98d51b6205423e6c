"""Alembic's environment for the class store, run by ``lstm_viz.classroom.migrate`` only.

The caller hands over an open connection (``config.attributes["connection"]``) on which it
already holds the migration lock; nothing here reads an ini file or makes an engine.
"""

from alembic import context

from lstm_viz.classroom.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
