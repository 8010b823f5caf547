from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "salesdesk.billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Amendments ask which order lines this app's open documents hold (`sales.holds`).
        from salesdesk.billing.reads import draft_invoice_holds, let_go_of_order_lines
        from salesdesk.sales import holds

        holds.register(draft_invoice_holds, let_go_of_order_lines)
