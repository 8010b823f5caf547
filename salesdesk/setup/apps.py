from django.apps import AppConfig


class SetupConfig(AppConfig):
    name = "salesdesk.setup"
    verbose_name = "Set-up"
