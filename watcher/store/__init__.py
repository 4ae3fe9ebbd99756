"""The one store that owns every SQL statement of veille, one module per entity.

Each module (embeddings, scores and topics, feedback, state, profiles, search, ...) holds the statements of
its tables as plain operations on a :class:`watcher.db.Store` (its first argument), with typed records in and
out (watcher.records, small dataclasses here, numpy arrays for vectors); no SQL leaves this package.
watcher/db.py stays the one place for DDL, migrations and the connection. A write is one transaction:
callers group several operations with ``with store.write():`` (nested writes join it).

This interface is the seam for a second engine (PostgreSQL + pgvector): another implementation of these
modules, the callers unchanged.
"""
