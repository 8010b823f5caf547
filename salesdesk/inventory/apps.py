from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "salesdesk.inventory"
    verbose_name = "Inventory"
