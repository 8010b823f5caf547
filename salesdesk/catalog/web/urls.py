from django.urls import path

from salesdesk.catalog.web import products, resources, views

app_name = "catalog"
urlpatterns = [
    *products.products.urlpatterns(),
    *resources.categories.urlpatterns(),
    *resources.price_lists.urlpatterns(),
    *resources.taxes.urlpatterns(),
    *resources.currencies.urlpatterns(),
    path("currencies/<int:pk>/rates/", views.RateCreateView.as_view(), name="currency-rate-create"),
    path("currencies/<int:pk>/rates/<int:rate_pk>/delete/", views.RateDeleteView.as_view(), name="currency-rate-delete"),
    *resources.units.urlpatterns(),
]
