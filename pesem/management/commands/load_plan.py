from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from pesem.planio.loading import load_plan


class Command(BaseCommand):
    help = "Carga el plan publicado desde fixtures/ (idempotente; no toca valores de usuarios)."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", type=Path, default=settings.PLAN_FIXTURES_DIR)

    def handle(self, *args, fixtures: Path, **options):
        report = load_plan(fixtures)
        self.stdout.write("Plan cargado:" if report.changed else "El plan ya estaba al día.")
        self.stdout.write(report.summary())
