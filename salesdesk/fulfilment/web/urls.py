from django.urls import path

from salesdesk.fulfilment.web import deliveries, panels, queue, resources, returns, stock

app_name = "fulfilment"
urlpatterns = [
    # the shipping queue and deliveries
    path("to-ship/", queue.ToShipView.as_view(), name="to-ship"),
    path("orders/<int:pk>/deliver/", deliveries.DeliveryCreateView.as_view(), name="delivery-create"),
    *resources.deliveries.urlpatterns(),
    path("deliveries/<int:pk>/pdf/", deliveries.DeliveryPdfView.as_view(), name="delivery-pdf"),
    path("deliveries/<int:pk>/<slug:action>/", deliveries.DeliveryActionView.as_view(), name="delivery-action"),
    # returns
    path("returns/new/", returns.ReturnCreateView.as_view(), name="return-create"),
    path("returns/references/", returns.ReturnReferencesView.as_view(), name="return-references"),
    *resources.returns.urlpatterns(),
    path("returns/<int:pk>/<slug:action>/", returns.ReturnActionView.as_view(), name="return-action"),
    # stock
    path("adjustments/new/", stock.AdjustmentCreateView.as_view(), name="adjustment-create"),
    *resources.adjustments.urlpatterns(),
    path("products/<int:pk>/stock/", stock.ProductStockView.as_view(), name="product-stock"),
    # panels inside the sales order and customer pages
    path("orders/<int:pk>/goods/", panels.OrderGoodsPanelView.as_view(), name="order-goods-panel"),
    path("customers/<int:pk>/goods/", panels.CustomerGoodsPanelView.as_view(), name="customer-goods-panel"),
]
