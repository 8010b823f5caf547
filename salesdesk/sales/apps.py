from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "salesdesk.sales"
    verbose_name = "Sales"
