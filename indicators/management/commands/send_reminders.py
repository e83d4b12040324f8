import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from indicators import deadlines
from indicators.mail import outbox, reminders
from indicators.management.commands.send_mail_outbox import report

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Command(BaseCommand):
    help = (
        "Escribe un recordatorio por registrador con lo que su dirección aún debe de los años "
        f"que vencen en {reminders.REMIND_DAYS_AHEAD} días o ya vencieron (indicadores con "
        "código, nombre y enlace a su fila de la grilla; uno por persona y día), y luego envía "
        "el buzón de salida."
    )

    def add_arguments(self, parser):
        add_today(parser)

    def handle(self, *args, today: str | None = None, **options):
        queued = reminders.queue_reminders(today=day_of(today))
        self.stdout.write(f"Recordatorios nuevos: {queued}")
        report(self, outbox.send_due())


def add_today(parser) -> None:
    parser.add_argument(
        "--today",
        metavar="AAAA-MM-DD",
        help="Fecha a usar como hoy (por defecto, la fecha actual en Lima).",
    )


def day_of(text: str | None) -> date:
    return parse_day(text) if text is not None else deadlines.today()


def parse_day(text: str) -> date:
    """AAAA-MM-DD only (date.fromisoformat alone would also take 20170331 or 2017-W13)."""
    try:
        if not DAY.fullmatch(text.strip()):
            raise ValueError(text)
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"La fecha «{text}» no es válida: use el formato AAAA-MM-DD, p. ej. 2017-03-31."
        ) from None
