from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "salesdesk.customers"
    verbose_name = "Customers"
