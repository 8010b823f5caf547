"""The browser UI: one URL module per app."""

from django.urls import include, path

urlpatterns = [
    path("", include("salesdesk.accounts.web.urls")),
]
