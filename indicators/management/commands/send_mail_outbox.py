from django.core.management.base import BaseCommand

from indicators.mail import outbox


class Command(BaseCommand):
    help = (
        "Envía los correos pendientes del buzón de salida (avisos de devolución, validación, "
        "envíos a validación y recordatorios). Los que fallan quedan para la próxima ejecución."
    )

    def handle(self, *args, **options):
        report(self, outbox.send_due())


def report(command: BaseCommand, result: outbox.SendResult) -> None:
    """The Spanish summary both mail commands print; the last error on stderr."""
    command.stdout.write(result.summary())
    if result.failed:
        command.stderr.write(
            f"No se pudieron enviar {result.failed} correo(s); se reintentarán en la próxima "
            f"ejecución. Último error: {result.last_error}"
        )
