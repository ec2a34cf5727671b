from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_measures(sender, **kwargs):
    from .catalogue import sync_catalogue
    from .standards_seed import seed_standards

    sync_catalogue()
    # After the measures: the standards are measured over them.
    seed_standards()


class AcademiesConfig(AppConfig):
    name = "academies"
    verbose_name = "Academies"

    def ready(self):
        post_migrate.connect(_sync_measures, sender=self)
