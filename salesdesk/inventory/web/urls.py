from salesdesk.inventory.web import levels, views

app_name = "inventory"
urlpatterns = [*views.warehouses.urlpatterns(), *levels.stock_levels.urlpatterns()]
