from django.urls import path

from salesdesk.accounts.web import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
]
