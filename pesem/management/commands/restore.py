import gzip
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators.workflow import status


class Command(BaseCommand):
    help = (
        "Restaura una copia de seguridad hecha con «backup»: reemplaza TODOS los datos. "
        "Todo o nada: si falla, la base de datos queda como estaba."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="No pedir confirmación.")

    def handle(self, *args, file: Path, yes: bool, **options):
        if not file.exists():
            raise CommandError(f"No existe el archivo {file}.")
        if not yes and input(
            f"Se reemplazarán todos los datos por {file}. ¿Continuar? [s/N] "
        ) not in {"s", "S"}:
            raise CommandError("Restauración cancelada.")
        opener = gzip.open if file.suffix == ".gz" else open
        with (
            opener(file, "rt", encoding="utf-8") as fh,
            tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as tmp,
        ):
            tmp.write(fh.read())
        try:
            with transaction.atomic():
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", tmp.name, verbosity=0)
                status.refresh()
        except Exception as exc:
            raise CommandError(f"No se pudo restaurar {file}: {exc}. No se cambió nada.") from exc
        finally:
            Path(tmp.name).unlink(missing_ok=True)
        self.stdout.write(f"Datos restaurados desde {file}.")
