from dataclasses import replace
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators.workflow import plan_services, target_services
from lib import spreadsheets
from pesem.planio import workbook


class Command(BaseCommand):
    help = (
        "Carga un libro XLSX del plan (hojas Plan, Unidades, Objetivos, Acciones, "
        "Indicadores, Metas, Articulacion; docs/plan-data.md): un plan nuevo (version = "
        "nuevo), o una ampliación (ampliado) o modificación (modificado) de un plan ya "
        "cargado. Cuenta como aprobado por su resolución: queda vigente y la versión anterior, "
        "reemplazada. Con "
        "--dry-run solo revisa. Todo o nada: ante cualquier error no guarda nada."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Revisa el libro sin guardar nada."
        )
        parser.add_argument("--user", help="Usuario a quien se atribuye la carga.")

    def handle(self, *args, path: Path, dry_run: bool, user: str | None, **options):
        acting = None
        if user:
            acting = get_user_model().objects.filter(username=user).first()
            if acting is None:
                raise CommandError(f"El usuario «{user}» no existe.")
        try:
            workbook.check_size(path.stat().st_size)
            content = path.read_bytes()
            loading = workbook.check_book(workbook.read_book(content), filename=path.name)
        except OSError as exc:
            raise CommandError(f"No se pudo leer {path}: {exc.strerror}.") from None
        except spreadsheets.UnreadableWorkbook as exc:
            raise CommandError(f"{path.name}: {exc} No se cargó nada.") from None
        if loading.new_plan is not None:
            new = loading.new_plan
            summary = (
                f"{new.fields['codigo']}: plan nuevo {new.fields['tipo']} "
                f"{new.fields['horizonte_inicio']}-{new.fields['horizonte_fin']}, "
                f"{len(new.objectives)} objetivo(s), {len(new.actions)} acción(es), "
                f"{len(new.indicators)} indicador(es), {len(new.targets)} meta(s), "
                f"{len(new.links)} articulación(es)."
            )
            if dry_run:
                self.stdout.write(f"Revisión sin errores (no se guardó nada). {summary}")
                return
            plan = workbook.create_plan(loading, acting)
            self.stdout.write(f"Plan cargado y vigente: {plan.code}. {summary}")
            return
        if loading.proposal is None:
            for problem in loading.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(loading.problems)} problema(s) en {path.name}: no se cargó nada."
            )
        proposal = loading.proposal
        changes = sum(len(years) for years in proposal.targets.values())
        summary = (
            f"{proposal.plan.code}: versión {proposal.kind}, horizonte "
            f"{proposal.plan.start_year}-{proposal.horizon_end}, {changes} meta(s) "
            f"nueva(s) o revisada(s), {loading.unchanged} fila(s) sin cambios."
        )
        if dry_run:
            self.stdout.write(f"Revisión sin errores (no se guardó nada). {summary}")
            return
        try:
            with transaction.atomic():
                resolution = target_services.resolution_record(**loading.resolution_fields)
                version = plan_services.version_record(
                    user=acting, proposal=replace(proposal, resolution=resolution)
                )
        except ValidationError as exc:
            raise CommandError(f"{' '.join(exc.messages)} No se cargó nada.") from None
        self.stdout.write(f"Versión cargada y vigente: {version}. {summary}")
