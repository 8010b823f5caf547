from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "salesdesk.fulfilment"
    verbose_name = "Fulfilment"
