"""Instances built from a row (`core.instances`): the same as Django's `from_db` builds."""

import pytest
from django.db.models import signals

from salesdesk.core import instances
from salesdesk.core.models import DocumentEvent
from salesdesk.inventory.models import StockLevel, StockMove, Warehouse


def row_of(obj):
    fields = type(obj)._meta.concrete_fields
    return [f.attname for f in fields], [getattr(obj, f.attname) for f in fields]


def test_an_instance_holds_what_from_db_gives(company, product):
    warehouse = Warehouse.objects.create(company=company, code="W1", name="One")
    level = StockLevel.objects.create(company=company, product=product, warehouse=warehouse)
    names, values = row_of(level)
    built = instances.builder(StockLevel, names)("default", values)
    expected = StockLevel.from_db("default", names, values)
    assert instances.snapshot(built) == instances.snapshot(expected)
    assert built._state.adding is False and built._state.db == "default"
    assert built.warehouse == warehouse  # the parent still loads through the key
    built.warehouse_id = None  # and the key's setter still works on the built instance
    assert built.warehouse_id is None


def test_a_model_with_init_receivers_is_built_by_from_db_so_they_still_run(company, product):
    warehouse = Warehouse.objects.create(company=company, code="W2", name="Two")
    names, values = row_of(warehouse)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.code)

    signals.post_init.connect(receiver, sender=Warehouse)
    try:
        assert not instances.plain(Warehouse, names)
        instances.builder(Warehouse, names)("default", values)
    finally:
        signals.post_init.disconnect(receiver, sender=Warehouse)
    assert seen == ["W2"]
    assert instances.plain(Warehouse, names)


@pytest.mark.parametrize("depth", [1, 3])
def test_snapshot_tells_apart_instances_that_differ(company, depth):
    one = Warehouse(company=company, code="A", name="A")
    other = Warehouse(company=company, code="B", name="A")
    assert instances.snapshot(one, depth) != instances.snapshot(other, depth)


def test_a_new_row_holds_what_the_models_init_gives(company, product, settings):
    settings.SALESDESK_CHECK_PREPARED = False  # compared here, not by the check
    warehouse = Warehouse.objects.create(company=company, code="W3", name="Three")
    values = {"company": company, "product_id": product.pk, "warehouse": warehouse, "kind": "receipt", "quantity": 2}
    made = instances.new(StockMove, **values)
    expected = StockMove(**values)
    assert instances.snapshot(made) == instances.snapshot(expected)
    assert made._state.adding is True
    assert made.warehouse is warehouse  # a parent given as an instance is cached, as __init__ does
    assert made.reason == "" and made.actor_id is None  # defaults for what is not given
    made_event = instances.new(DocumentEvent, company_id=company.pk, object_id=1, to_status="draft", actor=None)
    assert instances.snapshot(made_event) == instances.snapshot(
        DocumentEvent(company_id=company.pk, object_id=1, to_status="draft", actor=None)
    )


def test_a_new_row_and_an_unsaved_parent_take_a_database_as_init_gives_them(company, settings):
    settings.SALESDESK_CHECK_PREPARED = False  # compared here, not by the check
    parent, parent_for_init = Warehouse(code="W9", name="Nine"), Warehouse(code="W9", name="Nine")
    assert parent._state.db is None
    made = instances.new(StockMove, warehouse=parent, company=company, kind="receipt", quantity=1)
    expected = StockMove(warehouse=parent_for_init, company=company, kind="receipt", quantity=1)
    assert instances.snapshot(made) == instances.snapshot(expected)
    assert (made._state.db, parent._state.db) == (expected._state.db, parent_for_init._state.db) == ("default", "default")
    assert made.warehouse is parent and made.company_id == company.pk


def test_a_new_row_refuses_what_the_model_refuses(company):
    with pytest.raises(TypeError):
        instances.new(Warehouse, company=company, colour="red")  # no such field
    with pytest.raises(ValueError):
        instances.new(Warehouse, company=Warehouse(code="X"))  # a parent of the wrong model
