from django.urls import path

from salesdesk.accounts.web import resources, views

app_name = "accounts"
urlpatterns = [
    path("session/company/", views.switch_company, name="switch-company"),
    path("session/language/", views.set_language, name="set-language"),
    *resources.regions.urlpatterns(),
    *resources.teams.urlpatterns(),
    *resources.users.urlpatterns(),
    *resources.audit_log.urlpatterns(),
]
