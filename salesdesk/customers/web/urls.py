from django.urls import path

from salesdesk.customers.web import resources, views

app_name = "customers"
urlpatterns = [
    *resources.groups.urlpatterns(),
    *resources.payment_terms.urlpatterns(),
    path("<int:pk>/status/", views.status_view, name="customer-status"),
    path("<int:pk>/contacts/new/", views.ContactView.as_view(), name="contact-create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.ContactView.as_view(), name="contact-update"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.ContactDeleteView.as_view(), name="contact-delete"),
    *resources.customers.urlpatterns(),
]
