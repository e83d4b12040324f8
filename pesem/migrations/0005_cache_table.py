"""The database cache's table, made by migrate itself.

Every documented way to prepare a database (`migrate` then `load_plan`, the systemd unit,
`make serve`) must serve pages: the page cache and the rate limits read this table on every
request, so a database prepared without `createcachetable` answered 500 everywhere.
`createcachetable` skips tables that exist and caches that are not database caches (Redis),
so running it here is harmless where `make serve` runs it again."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("pesem", "0004_prepared_report")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
