"""The company's billing settings: invoicing policy, automatic use of deposits, dunning levels."""

from django.db import transaction

from salesdesk.billing.models import BillingSettings
from salesdesk.core import audit
from salesdesk.core.errors import Invalid


@transaction.atomic
def billing_settings_update(*, company, actor, values: dict) -> BillingSettings:
    """Change the settings (created with the defaults on first change), each change audited."""
    current = BillingSettings.objects.select_for_update().filter(company=company).first()
    merged = {
        name: values.get(name, getattr(current, name) if current else BillingSettings._meta.get_field(name).default)
        for name in ("dunning_level_1_days", "dunning_level_2_days", "dunning_level_3_days")
    }
    if not merged["dunning_level_1_days"] < merged["dunning_level_2_days"] < merged["dunning_level_3_days"]:
        raise Invalid({"dunning_level_2_days": ["Each dunning level needs more days overdue than the one before."]})
    if current is None:
        return audit.audited_create(model=BillingSettings, company=company, actor=actor, values=values)
    return audit.audited_update(instance=current, actor=actor, values=values)
