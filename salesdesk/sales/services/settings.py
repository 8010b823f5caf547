"""The company's sales settings: discount authority bands and quotation validity."""

from django.db import transaction

from salesdesk.core import audit
from salesdesk.sales.models import SalesSettings


@transaction.atomic
def sales_settings_update(*, company, actor, values: dict) -> SalesSettings:
    """Change the settings (created with the defaults on first change), each change audited."""
    current = SalesSettings.objects.select_for_update().filter(company=company).first()
    if current is None:
        return audit.audited_create(model=SalesSettings, company=company, actor=actor, values=values)
    return audit.audited_update(instance=current, actor=actor, values=values)
