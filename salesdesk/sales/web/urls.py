from django.urls import path

from salesdesk.sales.web import approvals, credit, resources, views
from salesdesk.sales.web.settings import SalesSettingsView

app_name = "sales"
urlpatterns = [
    path("settings/", SalesSettingsView.as_view(), name="settings"),
    path("products/search/", views.ProductSearchView.as_view(), name="product-search"),
    path("preview/<str:kind>/", views.PreviewView.as_view(), name="preview"),
    *resources.quotations.urlpatterns(),
    path("quotations/<int:pk>/pdf/", views.PdfView.as_view(kind="quotation"), name="quotation-pdf"),
    path("quotations/<int:pk>/<slug:action>/", views.QuotationActionView.as_view(), name="quotation-action"),
    *resources.orders.urlpatterns(),
    path("orders/<int:pk>/pdf/", views.PdfView.as_view(kind="order"), name="order-pdf"),
    path("orders/<int:pk>/amend/", views.AmendView.as_view(), name="order-amend"),
    path("orders/<int:pk>/<slug:action>/", views.OrderActionView.as_view(), name="order-action"),
    *resources.contracts.urlpatterns(),
    path("contracts/<int:pk>/pdf/", views.PdfView.as_view(kind="contract"), name="contract-pdf"),
    path("contracts/<int:pk>/<slug:action>/", views.ContractActionView.as_view(), name="contract-action"),
    path("credit-holds/", credit.CreditHoldListView.as_view(), name="credit-holds"),
    path("approvals/", approvals.ApprovalListView.as_view(), name="approval-list"),
    path("approvals/<int:pk>/<slug:decision>/", approvals.ApprovalDecideView.as_view(), name="approval-decide"),
    path("price-overrides/", approvals.OverridesReportView.as_view(), name="price-overrides"),
]
