from django.urls import path

from salesdesk.ledger.web import views

app_name = "ledger"
urlpatterns = [path("trial-balance/", views.TrialBalanceView.as_view(), name="trial-balance")]
