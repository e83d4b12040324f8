from django.apps import AppConfig


class PesemConfig(AppConfig):
    """The top layer: pages and commands that combine the plan, its indicators and its actors
    (tablero, objective, prospective, directorates, report; load_plan, export_plan, backup,
    restore), the data version every cached read is keyed on, portal settings and API tokens."""

    name = "pesem"
    verbose_name = "Seguimiento del PESEM"

    def ready(self) -> None:
        # The app registry must be ready before datacache (which imports models) is loaded.
        from pesem.cache import data as datacache

        datacache.connect()
