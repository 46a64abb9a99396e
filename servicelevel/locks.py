"""Named, transaction-level locks that serialize jobs which would otherwise race (docs/architecture.md,
"Concurrency").

On PostgreSQL a name maps to one `pg_advisory_xact_lock` key: the lock is held until the surrounding
transaction commits or rolls back, so nobody has to remember to release it and a crash releases it too.
Within one connection it is re-entrant (a nested call, or a test's outer transaction, just holds it again).
SQLite (the embedded default) has no such locks and needs none for this: it lets one writer at a time
commit, and a transaction that has read keeps everyone else from committing until it ends.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.db import connection

log = logging.getLogger(__name__)

# Every recompute (evaluate + store) of stored results: one at a time, each reading facts only once it
# holds the lock, so the last one to store is also the last one to read.
RECOMPUTE = "compliance:recompute"


def import_lock(kind: str) -> str:
    """Imports of one kind run one at a time (two files of overlapping rows would lock them in opposite
    orders). Other writers of the same rows take the same lock: deadline upkeep takes the cases lock."""
    return f"import:{kind}"


def key(name: str) -> int:
    """A stable signed 64-bit key for `name` (the same in every process and Python version)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def hold(name: str, *, on_wait: Callable[[], None] | None = None) -> bool:
    """Take the lock `name` until the current transaction ends, waiting for whoever holds it. `on_wait` is
    called once, before waiting, if someone does. Returns True if it had to wait."""
    if connection.vendor != "postgresql":
        return False
    if not connection.in_atomic_block:
        # Outside a transaction the lock would be released at once, protecting nothing.
        raise RuntimeError(f"lock {name!r} must be taken inside a transaction")
    lock_key = key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_key])
        if cursor.fetchone()[0]:
            return False
        log.info("waiting for lock %s", name)
        if on_wait is not None:
            on_wait()
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key])
    return True
