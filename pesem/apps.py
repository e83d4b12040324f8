from django.apps import AppConfig


class PesemConfig(AppConfig):
    """The top layer: pages and commands that combine the plan, its indicators and its actors
    (tablero, objective, prospective, directorates, report; load_plan, export_plan, backup,
    restore). It has no models."""

    name = "pesem"
    verbose_name = "Seguimiento del PESEM"
