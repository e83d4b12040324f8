import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from indicators import deadlines, outbox, reminders
from indicators.management.commands.send_mail_outbox import report

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Command(BaseCommand):
    help = (
        "Escribe un recordatorio por registrador con lo que su dirección aún debe de los años "
        f"que vencen en {reminders.REMIND_DAYS_AHEAD} días o ya vencieron (uno por persona y "
        "día), y luego envía el buzón de salida."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            metavar="AAAA-MM-DD",
            help="Fecha a usar como hoy (por defecto, la fecha actual en Lima).",
        )

    def handle(self, *args, today: str | None = None, **options):
        day = parse_day(today) if today is not None else deadlines.today()
        queued = reminders.queue_reminders(today=day)
        self.stdout.write(f"Recordatorios nuevos: {queued}")
        report(self, outbox.send_due())


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
