"""Delete evidence files the grid kept for a page that was never saved (README, grid).

A file chosen in the grid is kept under `evidencia-pendiente/` until the grid is saved, so that
another row's error does not lose it; when nobody comes back, it stays there. Run daily by cron
or a systemd timer, like send_reminders."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.entry.grid_views import PENDING_DIR


class Command(BaseCommand):
    help = "Borra los archivos de evidencia pendientes de más de N días (por defecto 2)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2)

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days debe ser al menos 1.")
        cutoff = timezone.now() - timedelta(days=days)
        removed = 0
        for name in self._files(PENDING_DIR):
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                removed += 1
        self.stdout.write(f"Archivos pendientes borrados: {removed}")

    def _files(self, path: str):
        if not default_storage.exists(path):
            return
        dirs, files = default_storage.listdir(path)
        for f in files:
            yield f"{path}/{f}"
        for d in dirs:
            yield from self._files(f"{path}/{d}")
