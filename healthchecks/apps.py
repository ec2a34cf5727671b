from django.apps import AppConfig


class HealthchecksConfig(AppConfig):
    name = "healthchecks"
    verbose_name = "Health checks and risks"

    def ready(self):
        from academies.selectors import COMPARISON_COLUMNS

        from . import receivers  # noqa: F401
        from .comparison import health_check_column

        if health_check_column not in COMPARISON_COLUMNS:
            COMPARISON_COLUMNS.append(health_check_column)
