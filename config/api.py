"""The REST API: every resource under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from salesdesk.accounts.api import views as accounts
from salesdesk.billing.api import goods as billing_goods
from salesdesk.billing.api import payments as billing_payments
from salesdesk.billing.api import receivables
from salesdesk.billing.api import views as billing
from salesdesk.catalog.api import views as catalog
from salesdesk.core.api.routing import grouped_urls
from salesdesk.customers.api import views as customers
from salesdesk.fulfilment.api import deliveries as fulfilment_deliveries
from salesdesk.fulfilment.api import returns as fulfilment_returns
from salesdesk.fulfilment.api import stock as fulfilment_stock
from salesdesk.inventory.api import views as inventory
from salesdesk.ledger.api import views as ledger
from salesdesk.reporting.api import analysis as reporting_analysis
from salesdesk.reporting.api import dashboards as reporting_dashboards
from salesdesk.reporting.api import demand as reporting_demand
from salesdesk.sales.api import orders as sales_orders
from salesdesk.sales.api import views as sales
from salesdesk.sales.api.settings import SalesSettingsView

router = DefaultRouter()
router.include_root_view = False
router.register("users", accounts.UserViewSet, basename="user")
router.register("regions", accounts.RegionViewSet, basename="region")
router.register("sales-teams", accounts.SalesTeamViewSet, basename="sales-team")
router.register("customers", customers.CustomerViewSet, basename="customer")
router.register("customer-contacts", customers.ContactViewSet, basename="customer-contact")
router.register("customer-groups", customers.CustomerGroupViewSet, basename="customer-group")
router.register("payment-terms", customers.PaymentTermViewSet, basename="payment-term")
router.register("products", catalog.ProductViewSet, basename="product")
router.register("product-categories", catalog.ProductCategoryViewSet, basename="product-category")
router.register("units", catalog.UnitViewSet, basename="unit")
router.register("taxes", catalog.TaxViewSet, basename="tax")
router.register("currencies", catalog.CurrencyViewSet, basename="currency")
router.register("currency-rates", catalog.CurrencyRateViewSet, basename="currency-rate")
router.register("price-lists", catalog.PriceListViewSet, basename="price-list")
router.register("warehouses", inventory.WarehouseViewSet, basename="warehouse")
router.register("stock-levels", inventory.StockLevelViewSet, basename="stock-level")
router.register("stock-moves", inventory.StockMoveViewSet, basename="stock-move")
router.register("stock-adjustments", fulfilment_stock.StockAdjustmentViewSet, basename="stock-adjustment")
router.register("quotations", sales.QuotationViewSet, basename="quotation")
router.register("sales-orders", sales_orders.SalesOrderViewSet, basename="sales-order")
router.register("price-approvals", sales.PriceApprovalViewSet, basename="price-approval")
router.register("contracts", sales.ContractViewSet, basename="contract")
router.register("deliveries", fulfilment_deliveries.DeliveryViewSet, basename="delivery")
router.register("returns", fulfilment_returns.ReturnViewSet, basename="return")
router.register("ledger/accounts", ledger.AccountViewSet, basename="ledger-account")
router.register("ledger/entries", ledger.JournalEntryViewSet, basename="ledger-entry")
router.register("invoices", billing.InvoiceViewSet, basename="invoice")
router.register("payments", billing_payments.PaymentViewSet, basename="payment")
router.register("deposits", billing_payments.DepositViewSet, basename="deposit")
router.register("dunning-letters", receivables.DunningLetterViewSet, basename="dunning-letter")
router.register("disputes", billing_goods.DisputeViewSet, basename="dispute")

urlpatterns = [
    path("auth/token/", accounts.TokenView.as_view(), name="api-token"),
    path("price-preview/", sales.PricePreviewView.as_view(), name="price-preview"),
    path("sales-settings/", SalesSettingsView.as_view(), name="sales-settings"),
    path("ledger/trial-balance/", ledger.TrialBalanceView.as_view(), name="ledger-trial-balance"),
    path("billing-settings/", receivables.BillingSettingsView.as_view(), name="billing-settings"),
    path("reports/sales-analysis/", reporting_analysis.SalesAnalysisView.as_view(), name="report-sales-analysis"),
    path("reports/sales-analysis/documents/", reporting_analysis.DrillView.as_view(), name="report-sales-analysis-documents"),
    path("reports/dashboard/", reporting_dashboards.DashboardView.as_view(), name="report-dashboard"),
    path("reports/demand-board/", reporting_demand.DemandBoardView.as_view(), name="report-demand-board"),
    path("receivables/aging/", receivables.AgeingView.as_view(), name="receivables-aging"),
    # Before the router: the customers resource lives in a lower app that knows nothing of billing.
    path("customers/<int:id>/statement/", receivables.CustomerStatementView.as_view(), name="customer-statement"),
    # Also before the router: refusing and crediting goods may make credit notes, so billing owns these actions.
    path("deliveries/<int:id>/refuse/", billing_goods.DeliveryRefuseView.as_view(), name="delivery-refuse"),
    path("returns/<int:id>/credit/", billing_goods.ReturnCreditView.as_view(), name="return-credit"),
    *grouped_urls(router),
]
