from django.core.management.base import BaseCommand, CommandError

from pesem.report import files as report_files


class Command(BaseCommand):
    help = (
        "Prepara los archivos del reporte de seguimiento (XLSX y PDF) pedidos para la versión "
        "actual de los datos oficiales y borra los de versiones anteriores. Con --prebuild "
        "prepara además los del año por omisión. Ejecútelo cada minuto (cron o un timer de "
        "systemd)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--prebuild",
            action="store_true",
            help="preparar también el XLSX y el PDF del año por omisión sin esperar un pedido",
        )

    def handle(self, *args, **options):
        run = report_files.build_pending(prebuild=options["prebuild"])
        for row in run.built:
            self.stdout.write(
                f"Preparado: {report_files.filename(row.year, row.file_format, row.variant)} "
                f"(versión {row.version}, {row.size:,} bytes, {row.build_seconds:.1f} s)"
            )
        self.stdout.write(
            f"Versión de los datos oficiales: {run.version}. Preparados: {len(run.built)}, "
            f"con error: {len(run.failed)}, archivos de versiones anteriores borrados: "
            f"{run.purged}."
        )
        if run.failed:
            raise CommandError(
                "No se pudieron preparar: "
                + "; ".join(
                    f"{report_files.filename(r.year, r.file_format, r.variant)}: {r.error}"
                    for r in run.failed
                )
            )
