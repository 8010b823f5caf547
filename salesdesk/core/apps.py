from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "salesdesk.core"
    verbose_name = "Core"
