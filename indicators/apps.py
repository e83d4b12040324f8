from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = "Indicadores"

    def ready(self) -> None:
        # The app registry must be ready before status (which imports models) is loaded.
        from indicators.workflow import status

        status.connect()
