import gzip
import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

# Rebuilt by migrate or by restore (stored statuses), or runtime state that must not return.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "indicators.IndicatorYearStatus"]


class Command(BaseCommand):
    help = "Copia de seguridad de todo (plan, valores, historial, usuarios) en JSON comprimido."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="Archivo .json.gz de salida.")

    def handle(self, *args, output: Path | None = None, **options):
        if output is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path("backups") / f"pesem-{stamp}.json.gz"
        output.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.StringIO()
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            indent=None,
            stdout=buffer,
        )
        with gzip.open(output, "wt", encoding="utf-8") as fh:
            fh.write(buffer.getvalue())
        self.stdout.write(f"Copia de seguridad escrita en {output}")
