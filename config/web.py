"""The browser UI: sign-in, the home page, and one URL module per app."""

from django.urls import include, path

from salesdesk.accounts.web import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("login/", account_views.SignInView.as_view(), name="login"),
    path("logout/", account_views.SignOutView.as_view(), name="logout"),
    path("org/", include("salesdesk.accounts.web.urls")),
    path("catalog/", include("salesdesk.catalog.web.urls")),
    path("customers/", include("salesdesk.customers.web.urls")),
    path("stock/", include("salesdesk.inventory.web.urls")),
    path("sales/", include("salesdesk.sales.web.urls")),
    path("ledger/", include("salesdesk.ledger.web.urls")),
    path("fulfilment/", include("salesdesk.fulfilment.web.urls")),
    path("billing/", include("salesdesk.billing.web.urls")),
    path("reports/", include("salesdesk.reporting.web.urls")),
]
