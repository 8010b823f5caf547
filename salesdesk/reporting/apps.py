from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "salesdesk.reporting"
    verbose_name = "Reporting"
