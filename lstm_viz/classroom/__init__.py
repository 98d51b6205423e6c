"""Class mode's engine: a class opened by a teacher, joined by link, every check recorded.

Plain data, SQL through SQLAlchemy Core, no Streamlit and nothing of the RNN engine (its own
import contract in ``.importlinter``). One idea per module:

- ``codes``: class codes (an unambiguous alphabet), teacher keys (128 bits, stored as a hash,
  compared in constant time), student tokens and answer ids;
- ``names``: nicknames as safe plain text (NFKC, ≤ 24 characters, no control / zero-width /
  bidi characters), "Student 7" when none is given;
- ``config``: the deployment's settings (``LSTM_VIZ_DATA_DIR``, ``LSTM_VIZ_DATABASE_URL``,
  ``LSTM_VIZ_TEACHER_PASSWORD``, ``LSTM_VIZ_CLASS_DAYS``), checked like the others;
- ``schema``: the tables and the schema version; ``migrate``: upgrade on start (Alembic,
  one replica at a time);
- ``store``: open a class, join it, record an answer, pacing, a second vote, delete, purge;
- ``dashboard``: the aggregation a teacher reads, as plain data; ``export``: CSV (pandas);
- ``outbox``: answers the store has not taken yet, kept and sent again, never twice.

The lessons themselves (which steps exist, whether an answer is right, which misconception
it shows) are ``lstm_viz.lessons``' business: the caller passes their results in as data.
"""
