"""Tables that grow with every sale keep only the indexes something reads (`core.models.HighVolume`)."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from salesdesk.billing.models import Invoice
from salesdesk.core.migration_ops import DropKeyIndex
from salesdesk.core.models import HighVolume
from salesdesk.sales.models import SalesOrder


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: info["columns"] for name, info in found.items() if info["index"] and not info["primary_key"]}


def _high_volume_models():
    return [model for model in apps.get_models() if issubclass(model, HighVolume)]


def test_the_tables_written_on_every_sale_are_high_volume():
    names = {model._meta.label for model in _high_volume_models()}
    assert {
        "sales.SalesOrder",
        "sales.SalesOrderLine",
        "fulfilment.Delivery",
        "billing.Invoice",
        "billing.Payment",
        "ledger.JournalLine",
        "core.DocumentEvent",
        "core.AuditEntry",
    } <= names


def test_no_high_volume_table_has_an_index_on_the_company_alone(db):
    for model in _high_volume_models():
        indexes = _indexes(model)
        assert ["company_id"] not in indexes.values(), model._meta.label
        # Every index left starts with the company, or follows a key to the row's document.
        assert indexes, model._meta.label


def test_keys_to_settings_and_users_have_no_index_of_their_own(db):
    order_indexes = list(_indexes(SalesOrder).values())
    for column in ("currency_id", "price_list_id", "warehouse_id", "created_by_id", "credit_released_by_id"):
        assert [column] not in order_indexes
    # The keys that lead from a customer or a salesperson to their orders lead an index that
    # also has the company and the date; the quotation's keeps an index of its own.
    assert ["customer_id", "company_id", "date"] in order_indexes
    assert ["salesperson_id", "company_id", "date"] in order_indexes
    assert ["quotation_id"] in order_indexes
    for column in ("customer_id", "salesperson_id"):
        assert [column] not in order_indexes


def _keys_to_people_and_products():
    """(model, field) for every key of a high-volume table to a customer, a product or a
    salesperson (the user who wrote a row has no index: see `HighVolume`)."""
    from django.contrib.auth import get_user_model

    from salesdesk.catalog.models import Product
    from salesdesk.customers.models import Customer

    for model in _high_volume_models():
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target in (Customer, Product) or (target is get_user_model() and field.name == "salesperson"):
                yield model, field


def test_deleting_a_customer_product_or_salesperson_finds_its_rows_through_an_index(company):
    """Deleting a customer, a product or a user nothing refers to must not read every line:
    the database looks for rows with that key first (and Django does too, to refuse it)."""
    keys = list(_keys_to_people_and_products())
    assert {(model._meta.label, field.name) for model, field in keys} >= {
        ("sales.SalesOrder", "customer"),
        ("sales.SalesOrder", "salesperson"),
        ("billing.Invoice", "customer"),
        ("ledger.JournalLine", "customer"),
        ("inventory.StockMove", "product"),
        ("sales.SalesOrderLine", "product"),
    }
    for model, field in keys:
        plan = _plan(model._base_manager.filter(**{field.attname: 7}).order_by().values("id"))
        assert "SCAN" not in plan and "Seq Scan" not in plan, (model._meta.label, field.name, plan)
        assert "INDEX" in plan.upper(), (model._meta.label, field.name, plan)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test's tables are tiny, so cost alone would pick any plan: ask whether an index
            # can give the rows (and their order) at all.
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(column) for row in cursor.fetchall() for column in row)


@pytest.mark.parametrize(
    "label",
    [
        "sales.Quotation",
        "sales.SalesOrder",
        "billing.Invoice",
        "fulfilment.Delivery",
        "billing.Payment",
        "ledger.JournalEntry",
        "inventory.StockMove",
        "core.AuditEntry",
    ],
)
def test_a_companys_list_in_its_default_order_is_read_off_an_index(company, label):
    model = apps.get_model(label)
    plan = _plan(model.objects.filter(company=company).order_by(*model._meta.ordering).values("id")[:26])
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # no sort of all the company's rows


def test_a_key_set_on_few_rows_is_found_through_its_partial_index(company):
    assert "invoice_original_idx" in _plan(Invoice.objects.filter(original_invoice_id=7).values("id"))
    assert "salesorder_contract_idx" in _plan(SalesOrder.objects.filter(contract_id=7).values("id"))


@pytest.mark.django_db(transaction=True)
def test_the_migration_drops_the_index_and_going_back_makes_it_again():
    loader = MigrationLoader(connection)
    migration = loader.get_migration("sales", "0008_high_volume_indexes")
    before = loader.project_state(("sales", "0007_worked_on_orders_index"))
    for operation in migration.operations:  # the state just before the order's currency loses its index
        if isinstance(operation, DropKeyIndex) and (operation.model_name, operation.name) == ("salesorder", "currency"):
            break
        operation.state_forwards("sales", before)
    after = before.clone()
    operation.state_forwards("sales", after)
    name = connection.schema_editor()._create_index_name(SalesOrder._meta.db_table, ["currency_id"])
    assert name not in _indexes(SalesOrder)

    with connection.schema_editor() as editor:
        operation.database_backwards("sales", editor, after, before)
    assert _indexes(SalesOrder)[name] == ["currency_id"]

    with connection.schema_editor() as editor:
        operation.database_forwards("sales", editor, before, after)
    assert name not in _indexes(SalesOrder)
