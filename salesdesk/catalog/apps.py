from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "salesdesk.catalog"
    verbose_name = "Catalog"
