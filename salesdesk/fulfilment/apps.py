from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "salesdesk.fulfilment"
    verbose_name = "Fulfilment"

    def ready(self) -> None:
        # Amendments ask which order lines this app's open documents hold (`sales.holds`).
        from salesdesk.fulfilment.reads import let_go_of_order_lines, open_delivery_holds
        from salesdesk.sales import holds

        holds.register(open_delivery_holds, let_go_of_order_lines)
