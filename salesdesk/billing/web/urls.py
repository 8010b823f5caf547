from django.urls import path

from salesdesk.billing.web import deposits, disputes, goods, invoices, panels, payments, receivables, resources
from salesdesk.billing.web.settings import BillingSettingsView

app_name = "billing"
urlpatterns = [
    path("settings/", BillingSettingsView.as_view(), name="settings"),
    # invoices and credit notes
    path("invoices/new/", invoices.InvoiceFormView.as_view(), name="invoice-create"),
    path("invoices/preview/", invoices.InvoicePreviewView.as_view(), name="invoice-preview"),
    *resources.invoices.urlpatterns(),
    path("invoices/<int:pk>/edit/", invoices.InvoiceFormView.as_view(), name="invoice-update"),
    path("invoices/<int:pk>/credit/", invoices.CreditNoteView.as_view(), name="invoice-credit"),
    path("invoices/<int:pk>/pdf/", invoices.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("invoices/<int:pk>/einvoice/", invoices.EInvoiceView.as_view(), name="invoice-einvoice"),
    path("invoices/<int:pk>/dispute/", disputes.DisputeOpenView.as_view(), name="invoice-dispute"),
    path("invoices/<int:pk>/disputes/", disputes.InvoiceDisputesPanelView.as_view(), name="invoice-disputes"),
    path("invoices/<int:pk>/<slug:action>/", invoices.InvoiceActionView.as_view(), name="invoice-action"),
    # payments
    path("payments/new/", payments.PaymentCreateView.as_view(), name="payment-create"),
    path("payments/open-invoices/", payments.OpenInvoicesView.as_view(), name="payment-open-invoices"),
    *resources.payments.urlpatterns(),
    path("payments/<int:pk>/<slug:action>/", payments.PaymentActionView.as_view(), name="payment-action"),
    # deposits
    path("deposits/new/", deposits.DepositCreateView.as_view(), name="deposit-create"),
    path("deposits/orders/", deposits.DepositOrdersView.as_view(), name="deposit-orders"),
    *resources.deposits.urlpatterns(),
    path("deposits/<int:pk>/<slug:action>/", deposits.DepositActionView.as_view(), name="deposit-action"),
    # receivables
    path("receivables/ageing/", receivables.AgeingView.as_view(), name="ageing"),
    path("customers/<int:pk>/statement/", receivables.StatementView.as_view(), name="statement"),
    path("dunning/run/", receivables.DunningRunView.as_view(), name="dunning-run"),
    *resources.dunning_letters.urlpatterns(),
    path("dunning/<int:pk>/pdf/", receivables.DunningPdfView.as_view(), name="dunning-pdf"),
    path("dunning/<int:pk>/<slug:action>/", receivables.DunningActionView.as_view(), name="dunning-action"),
    # disputes
    *disputes.disputes.urlpatterns(),
    path("disputes/<int:pk>/resolve/", disputes.DisputeResolveView.as_view(), name="dispute-resolve"),
    # goods: a refusal at the door and a return credited (buttons on the delivery and return pages)
    path("deliveries/<int:pk>/refuse/", goods.DeliveryRefuseView.as_view(), name="delivery-refuse"),
    path("deliveries/<int:pk>/invoice/", goods.DeliveryInvoiceView.as_view(), name="delivery-invoice"),
    path("returns/<int:pk>/credit/", goods.ReturnCreditView.as_view(), name="return-credit"),
    # panels inside the sales order and customer pages
    path("orders/<int:pk>/panel/", panels.OrderPanelView.as_view(), name="order-panel"),
    path("orders/<int:pk>/invoice/", panels.OrderInvoiceView.as_view(), name="order-invoice"),
    path("customers/<int:pk>/panel/", panels.CustomerPanelView.as_view(), name="customer-panel"),
    path("customers/<int:pk>/disputes/", disputes.CustomerDisputesPanelView.as_view(), name="customer-disputes"),
]
