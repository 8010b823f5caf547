from salesdesk.inventory.web import views

app_name = "inventory"
urlpatterns = [*views.warehouses.urlpatterns()]
