"""Audited master-data writes: one row per changed field, append-only, nothing on a refusal."""

from decimal import Decimal

import pytest

from salesdesk.catalog.models import ProductCategory, Tax
from salesdesk.core import audit
from salesdesk.core.errors import Invalid, ProtectedRecord
from salesdesk.core.models import AuditEntry
from salesdesk.inventory.models import Warehouse


@pytest.fixture
def admin(users):
    return users["admin"]


def rows(instance, action=None):
    qs = audit.history(instance)
    if action:
        qs = qs.filter(action=action)
    return {r.field: (r.before, r.after) for r in qs}


def test_a_create_writes_one_row_per_filled_field(company, admin):
    tax = audit.audited_create(model=Tax, company=company, actor=admin, values={"name": "VAT 10%", "rate": Decimal("10")})

    assert rows(tax, "create") == {
        "name": ("", "VAT 10%"),
        "rate": ("", "10"),
        "included_in_price": ("", "False"),
        "active": ("", "True"),
    }
    assert {r.actor for r in audit.history(tax)} == {admin}
    assert all(r.company_id == company.pk for r in audit.history(tax))


def test_an_update_writes_a_row_only_for_each_changed_field(company, admin, vat21):
    audit.audited_update(instance=vat21, actor=admin, values={"rate": Decimal("10"), "name": "VAT 21%"})

    assert rows(vat21, "update") == {"rate": ("21.0000", "10")}
    assert Tax.objects.get(pk=vat21.pk).rate == Decimal("10")


def test_an_update_that_changes_nothing_writes_nothing(company, admin, vat21):
    before = AuditEntry.objects.count()
    audit.audited_update(instance=vat21, actor=admin, values={"name": "VAT 21%"})
    assert AuditEntry.objects.count() == before


def test_a_foreign_key_change_is_logged_by_name(company, admin, product, vat21):
    reduced = Tax.objects.create(company=company, name="VAT 10%", rate=Decimal("10"))
    audit.audited_update(instance=product, actor=admin, values={"tax": reduced})
    assert rows(product, "update") == {"tax": ("VAT 21%", "VAT 10%")}


def test_a_delete_writes_the_values_it_removed(company, admin):
    warehouse = audit.audited_create(model=Warehouse, company=company, actor=admin, values={"code": "MAIN", "name": "Main"})
    pk = warehouse.pk
    audit.audited_delete(instance=warehouse, actor=admin)

    assert not Warehouse.objects.filter(pk=pk).exists()
    deleted = {r.field: (r.before, r.after) for r in AuditEntry.objects.filter(object_id=pk, action="delete")}
    assert deleted == {"code": ("MAIN", ""), "name": ("Main", ""), "active": ("True", "")}


def test_audit_rows_cannot_be_changed(company, admin, vat21):
    audit.audited_update(instance=vat21, actor=admin, values={"rate": Decimal("5")})
    entry = audit.history(vat21).first()
    entry.after = "0"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).after == "5"


def test_a_refused_update_writes_nothing_and_keeps_the_record(company, admin, vat21):
    before = AuditEntry.objects.count()
    with pytest.raises(Invalid) as refused:
        audit.audited_update(instance=vat21, actor=admin, values={"rate": Decimal("150")})
    assert "rate" in refused.value.details
    assert AuditEntry.objects.count() == before
    assert Tax.objects.get(pk=vat21.pk).rate == Decimal("21")


def test_a_refused_create_writes_nothing(company, admin):
    before = AuditEntry.objects.count()
    with pytest.raises(Invalid) as refused:
        audit.audited_create(model=Tax, company=company, actor=admin, values={"name": "", "rate": Decimal("-1")})
    assert set(refused.value.details) == {"name", "rate"}
    assert AuditEntry.objects.count() == before
    assert not Tax.objects.filter(company=company).exists()


def test_a_duplicate_code_in_the_same_company_is_refused_on_the_code_field(company, other_company, admin):
    audit.audited_create(model=Warehouse, company=company, actor=admin, values={"code": "MAIN", "name": "Main"})
    with pytest.raises(Invalid) as refused:
        audit.audited_create(model=Warehouse, company=company, actor=admin, values={"code": "MAIN", "name": "Second"})
    assert list(refused.value.details) == ["code"]
    assert Warehouse.objects.filter(company=company).count() == 1

    elsewhere = audit.audited_create(model=Warehouse, company=other_company, actor=None, values={"code": "MAIN", "name": "Main"})
    assert elsewhere.company == other_company


def test_renaming_onto_a_taken_code_is_refused_on_the_code_field(company, admin):
    audit.audited_create(model=Warehouse, company=company, actor=admin, values={"code": "MAIN", "name": "Main"})
    second = audit.audited_create(model=Warehouse, company=company, actor=admin, values={"code": "EAST", "name": "East"})
    with pytest.raises(Invalid) as refused:
        audit.audited_update(instance=second, actor=admin, values={"code": "MAIN"})
    assert list(refused.value.details) == ["code"]
    assert Warehouse.objects.get(pk=second.pk).code == "EAST"


def test_a_duplicate_top_level_category_is_refused_on_the_name_field(company, admin):
    audit.audited_create(model=ProductCategory, company=company, actor=admin, values={"name": "Tools", "parent": None})
    with pytest.raises(Invalid) as refused:
        audit.audited_create(model=ProductCategory, company=company, actor=admin, values={"name": "Tools", "parent": None})
    assert list(refused.value.details) == ["name"]
    assert ProductCategory.objects.filter(company=company, name="Tools").count() == 1


def test_the_same_category_name_under_different_parents_is_fine(company, admin):
    tools = audit.audited_create(model=ProductCategory, company=company, actor=admin, values={"name": "Tools"})
    garden = audit.audited_create(model=ProductCategory, company=company, actor=admin, values={"name": "Garden"})
    audit.audited_create(model=ProductCategory, company=company, actor=admin, values={"name": "Spare parts", "parent": tools})
    audit.audited_create(model=ProductCategory, company=company, actor=admin, values={"name": "Spare parts", "parent": garden})
    assert ProductCategory.objects.filter(company=company, name="Spare parts").count() == 2


def test_deleting_a_record_in_use_is_refused_as_protected_and_deletes_nothing(company, admin, product, vat21):
    before = AuditEntry.objects.count()
    with pytest.raises(ProtectedRecord) as refused:
        audit.audited_delete(instance=vat21, actor=admin)
    assert refused.value.code == "protected"
    assert refused.value.details == {"used_by": ["product"]}
    assert Tax.objects.filter(pk=vat21.pk).exists()
    assert AuditEntry.objects.count() == before
