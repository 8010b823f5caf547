from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "salesdesk.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from salesdesk.accounts import roles

        # Keep the role groups' permissions in step with the models after every migrate.
        post_migrate.connect(roles.sync_role_groups, dispatch_uid="salesdesk.sync_role_groups")
