"""Catalog writes and reads at the service level: defaults, currencies, rates, price lists."""

from datetime import date
from decimal import Decimal

import pytest

from salesdesk.catalog import selectors, services
from salesdesk.catalog.models import Currency, PriceList, PriceListItem, ProductCategory, Unit
from salesdesk.core.audit import history
from salesdesk.core.errors import Invalid
from salesdesk.core.models import AuditEntry


@pytest.fixture
def eur(company):
    return Currency.objects.get(company=company, code="EUR")


@pytest.fixture
def usd(company):
    return services.create(model=Currency, company=company, actor=None, values={"code": "USD", "name": "US Dollar"})


@pytest.fixture
def tools(company):
    return ProductCategory.objects.create(company=company, name="Tools")


def test_a_new_company_has_the_standard_units_and_its_base_currency(other_company):
    assert sorted(Unit.objects.filter(company=other_company).values_list("code", flat=True)) == ["h", "kg", "pc"]
    assert list(Currency.objects.filter(company=other_company).values_list("code", "decimal_places")) == [("USD", 2)]


def test_company_defaults_can_run_twice(company):
    services.company_defaults(company=company)
    assert Unit.objects.filter(company=company).count() == 3
    assert Currency.objects.filter(company=company).count() == 1


def test_a_yen_company_gets_a_currency_without_decimals(db):
    from salesdesk.setup.services import company_setup

    company = company_setup(code="JP", name="Nihon KK", base_currency="JPY", country="JP")
    assert Currency.objects.get(company=company).decimal_places == 0


def test_a_currency_code_cannot_change(eur):
    with pytest.raises(Invalid) as refused:
        services.update(instance=eur, actor=None, values={"code": "EUX"})
    assert list(refused.value.details) == ["code"]
    eur.refresh_from_db()
    assert eur.code == "EUR"


def test_standard_units_cannot_be_deleted_but_others_can(company):
    pc = Unit.objects.get(company=company, code="pc")
    with pytest.raises(Invalid):
        services.delete(instance=pc, actor=None)
    assert Unit.objects.filter(pk=pc.pk).exists()
    box = services.create(model=Unit, company=company, actor=None, values={"code": "box", "name": "Box"})
    services.delete(instance=box, actor=None)
    assert not Unit.objects.filter(pk=box.pk).exists()


def test_a_category_cannot_sit_below_itself(company, tools):
    hand = services.create(model=ProductCategory, company=company, actor=None, values={"name": "Hand", "parent": tools})
    with pytest.raises(Invalid):
        services.update(instance=tools, actor=None, values={"parent": hand})
    tools.refresh_from_db()
    assert tools.parent is None


def test_the_category_tree_lists_children_below_their_parent(company, tools):
    services.create(model=ProductCategory, company=company, actor=None, values={"name": "Hand", "parent": tools})
    services.create(model=ProductCategory, company=company, actor=None, values={"name": "Garden"})
    assert [(d, c.name) for d, c in selectors.category_tree(company)] == [(0, "Garden"), (0, "Tools"), (1, "Hand")]


# --- rates --------------------------------------------------------------------------------


def test_the_base_currency_has_no_rate(company, eur):
    with pytest.raises(Invalid) as refused:
        services.rate_create(company=company, actor=None, currency=eur, date=date(2026, 1, 1), rate=Decimal("1"))
    assert list(refused.value.details) == ["currency"]


def test_the_rate_on_a_date_is_the_latest_one_on_or_before_it(company, usd):
    services.rate_create(company=company, actor=None, currency=usd, date=date(2026, 1, 1), rate=Decimal("1.08"))
    services.rate_create(company=company, actor=None, currency=usd, date=date(2026, 2, 1), rate=Decimal("1.10"))
    assert selectors.rate_on(company, "USD", date(2025, 12, 31)) is None
    assert selectors.rate_on(company, "USD", date(2026, 1, 1)) == Decimal("1.08")
    assert selectors.rate_on(company, "USD", date(2026, 1, 31)) == Decimal("1.08")
    assert selectors.rate_on(company, "USD", date(2026, 2, 1)) == Decimal("1.10")


def test_rates_of_another_company_are_not_used(company, other_company, usd):
    services.rate_create(company=company, actor=None, currency=usd, date=date(2026, 1, 1), rate=Decimal("1.08"))
    assert selectors.rate_on(other_company, "USD", date(2026, 6, 1)) is None


# --- price lists --------------------------------------------------------------------------


def test_a_price_list_is_saved_with_its_items_and_audited(company, users, eur, product, tools):
    price_list = services.price_list_save(
        company=company,
        actor=users["manager"],
        values={"name": "Retail", "currency": eur},
        items=[
            {"product": product, "price": Decimal("9.50")},
            {"category": tools, "min_quantity": Decimal("10"), "discount_percent": Decimal("5")},
        ],
    )
    assert price_list.items.count() == 2
    items_row = history(price_list).get(field="items")
    assert set(items_row.after.split("; ")) == {"P-10≥0.0000:9.5000", "[Tools]≥10.0000:-5.0000%"}
    assert items_row.actor == users["manager"]


def test_saving_items_replaces_the_old_ones(company, eur, product):
    price_list = services.price_list_save(
        company=company, actor=None, values={"name": "Retail", "currency": eur}, items=[{"product": product, "price": Decimal("9")}]
    )
    services.price_list_save(
        company=company, actor=None, price_list=price_list, values={}, items=[{"product": product, "price": Decimal("8")}]
    )
    assert list(PriceListItem.objects.filter(price_list=price_list).values_list("price", flat=True)) == [Decimal("8")]


@pytest.mark.parametrize(
    "item",
    [
        {"price": Decimal("9"), "discount_percent": Decimal("5")},
        {},
        {"category": "TOOLS", "price": Decimal("9")},
    ],
)
def test_an_item_needs_exactly_one_target_and_one_rule(company, eur, product, tools, item):
    item = {"product": product, **{k: (tools if v == "TOOLS" else v) for k, v in item.items()}}
    audit_before = AuditEntry.objects.count()
    with pytest.raises(Invalid) as refused:
        services.price_list_save(company=company, actor=None, values={"name": "Retail", "currency": eur}, items=[item])
    assert list(refused.value.details) == ["items[0]"]
    assert not PriceList.objects.filter(company=company).exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_price_list_cannot_end_before_it_starts(company, eur):
    with pytest.raises(Invalid) as refused:
        services.price_list_save(
            company=company, actor=None, values={"name": "R", "currency": eur, "valid_from": date(2026, 6, 1), "valid_to": date(2026, 5, 1)}
        )
    assert refused.value.details
    assert not PriceList.objects.filter(company=company).exists()


def test_a_new_default_price_list_replaces_the_old_default(company, eur):
    first = services.price_list_save(company=company, actor=None, values={"name": "A", "currency": eur, "is_default": True})
    second = services.price_list_save(company=company, actor=None, values={"name": "B", "currency": eur, "is_default": True})
    first.refresh_from_db()
    assert not first.is_default
    assert list(PriceList.objects.filter(company=company, is_default=True)) == [second]


def test_saving_the_default_again_keeps_it_the_default(company, eur):
    default = services.price_list_save(company=company, actor=None, values={"name": "A", "currency": eur, "is_default": True})
    services.price_list_save(company=company, actor=None, price_list=default, values={"is_default": True, "name": "A2"})
    default.refresh_from_db()
    assert default.is_default and default.name == "A2"
