from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "salesdesk.ledger"
    verbose_name = "Ledger"
