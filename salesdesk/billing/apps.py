from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "salesdesk.billing"
    verbose_name = "Billing"
