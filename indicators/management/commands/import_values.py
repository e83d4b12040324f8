from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from indicators.entry.importing import (
    ImportFileError,
    apply_import,
    check_size,
    plan_import,
    read_rows,
)
from indicators.models import WorkflowState


class Command(BaseCommand):
    help = (
        "Importa valores anuales desde CSV (UTF-8, separado por comas) o XLSX con las columnas "
        "indicador,año,numerador,denominador,valor,nota (o en inglés "
        "indicator,year,numerator,denominator,value,note), y una columna justificación para los "
        "valores con advertencias que se envían. Todo o nada; nunca sobrescribe un "
        "valor validado. Los valores quedan en borrador salvo que se indique --status."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--status",
            choices=[s.value for s in WorkflowState],
            default=WorkflowState.DRAFT,
            help="Estado de los valores importados (por omisión, draft: borrador).",
        )
        parser.add_argument("--user", help="Usuario a quien se atribuyen los valores.")

    def handle(self, *args, path: Path, status: str, user: str | None, **options):
        acting = None
        if user:
            try:
                acting = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"El usuario «{user}» no existe.") from None
        try:
            check_size(path.stat().st_size)  # before reading it
            content = path.read_bytes()
            rows = read_rows(content, path.name)
        except OSError as exc:
            raise CommandError(f"No se pudo leer {path}: {exc.strerror}.") from None
        except ImportFileError as exc:
            raise CommandError(f"{path.name}: {exc} No se importó nada.") from None
        plan = plan_import(rows, user=acting, status=status)
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(plan.errors)} fila(s) con errores en {path.name}: no se importó nada."
            )
        try:
            counts = apply_import(
                plan, user=acting, status=status, reason=f"importación de {path.name}"
            )
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(
                f"{' '.join(getattr(exc, 'messages', [str(exc)]))} No se importó nada."
            ) from None
        self.stdout.write(
            f"Importación completa: {counts['new']} nuevos, {counts['changed']} modificados, "
            f"{counts['unchanged']} sin cambios, {counts['empty']} vacíos (estado: {status})."
        )
