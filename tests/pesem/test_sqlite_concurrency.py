"""SQLite, the embedded default, under concurrent workflow actions.

A workflow action reads the item (its version) and then writes it inside one transaction.
With SQLite's default deferred transactions, two such actions at once fail with "database is
locked" (the second cannot upgrade its read lock to a write lock), which answered 500. The
settings' SQLITE_OPTIONS begin each transaction with the write lock and wait for it."""

import sqlite3
import threading
import time

from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

THREADS = 8


def _connection(path, options):
    return DatabaseWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": options,
            "ATOMIC_REQUESTS": False,
            "AUTOCOMMIT": True,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        },
        alias=f"concurrency-{threading.get_ident()}",
    )


def _race(path, options):
    """Each thread reads the item's version, works a little, and writes version + 1, in one
    transaction (as services do). Returns the final version and the errors raised."""
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, version INTEGER)")
    setup.execute("INSERT INTO item VALUES (1, 1)")
    setup.commit()
    setup.close()
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def act():
        connection = _connection(path, options)
        try:
            barrier.wait()
            # What transaction.atomic() does on SQLite: BEGIN (in the configured mode).
            connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            cursor = connection.cursor()
            cursor.execute("SELECT version FROM item WHERE id = 1")
            (version,) = cursor.fetchone()
            time.sleep(0.02)
            cursor.execute("UPDATE item SET version = %s WHERE id = 1", [version + 1])
            connection.commit()
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=act) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    check = sqlite3.connect(path)
    (final,) = check.execute("SELECT version FROM item WHERE id = 1").fetchone()
    check.close()
    return final, errors


def test_concurrent_read_then_write_transactions_queue_instead_of_failing(
    tmp_path, django_db_blocker
):
    with django_db_blocker.unblock():  # its own database file, not the suite's
        final, errors = _race(tmp_path / "immediate.sqlite3", settings.SQLITE_OPTIONS)
    assert errors == []
    assert final == 1 + THREADS  # every action applied, none lost


def test_without_the_settings_the_same_race_fails(tmp_path, django_db_blocker):
    """The race above is real: SQLite's default (deferred) transactions lose it."""
    with django_db_blocker.unblock():
        _, errors = _race(tmp_path / "deferred.sqlite3", {"timeout": 1})
    assert any("locked" in str(error) for error in errors)
