from django.apps import AppConfig


class AcademycardsConfig(AppConfig):
    name = "academycards"
    verbose_name = "Academy cards and board packs"
