"""Prices as the catalog and contracts promise them: a contract's price in the order's currency and
within its committed quantity and period, a document's price list before (not instead of) the
customer's, and price approvals decided by someone else, for the product they saw."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Currency, Product, Tax
from salesdesk.sales import selectors, services
from salesdesk.sales.errors import NotAllowedToApprove, PriceApprovalRequired
from salesdesk.sales.models import PriceApproval, SalesOrder
from salesdesk.sales.services.common import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(company, users, unit_pc, customer_of):
    tax = Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))
    make = Product.objects.create
    return {
        "company": company,
        "users": users,
        "members": {name: user.memberships.get(company=company) for name, user in users.items()},
        "chair": make(company=company, sku="P-10", name="Chair", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax),
        "desk": make(
            company=company, sku="P-20", name="Desk", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax, floor_price=D("9.00")
        ),
        "gold": make(
            company=company, sku="P-99", name="Gold", unit=unit_pc, list_price=D("100.00"), cost=D("60"), tax=tax, floor_price=D("90.00")
        ),
        "customer": customer_of("sales", "C001", credit_limit=D("100000")),
        "customer_of": customer_of,
    }


def order(shop, who, lines, customer=None, **values) -> SalesOrder:
    return services.order_create(
        company=shop["company"],
        actor=shop["users"][who],
        membership=shop["members"][who],
        customer=customer or shop["customer"],
        lines=lines,
        **values,
    )


def contract(shop, price="7.50", quantity="10", start=None, end=None):
    made = services.contract_create(
        company=shop["company"],
        actor=shop["users"]["manager"],
        customer=shop["customer"],
        valid_from=start or today() - timedelta(days=10),
        valid_to=end or today() + timedelta(days=50),
        items=[{"product": shop["chair"], "price": price, "quantity": quantity}],
    )
    services.contract_activate(contract=made, actor=shop["users"]["manager"])
    return made


def approval_for(shop, made: SalesOrder, who="sales") -> PriceApproval:
    with pytest.raises(PriceApprovalRequired) as asked:
        services.order_confirm(order=made, actor=shop["users"][who], membership=shop["members"][who])
    return PriceApproval.objects.get(pk=asked.value.details["price_approval"])


def test_a_contract_price_is_converted_into_the_orders_currency(shop):
    admin = shop["users"]["admin"]
    usd = catalog_services.create(model=Currency, company=shop["company"], actor=admin, values={"code": "USD", "name": "US dollar"})
    catalog_services.rate_create(company=shop["company"], actor=admin, currency=usd, date=date(2020, 1, 1), rate=D("2.0000"))
    contract(shop, price="8.00")  # in euros, the company's currency
    line = order(shop, "sales", [{"product": shop["chair"], "quantity": D("1")}], currency=usd).lines.get()
    assert line.unit_price == D("16.0000") and line.price_source == "contract"


def test_two_lines_of_a_contract_product_share_its_committed_quantity(shop):
    contract(shop, quantity="10")
    made = order(shop, "sales", [{"product": shop["chair"], "quantity": D("6")}, {"product": shop["chair"], "quantity": D("6")}])
    first, second = made.lines.order_by("sequence")
    assert (first.unit_price, first.price_source) == (D("7.5000"), "contract")
    assert second.unit_price == D("10.0000") and second.contract_item_id is None  # beyond the commitment: the list price
    confirmed = services.order_confirm(order=made, actor=shop["users"]["sales"], membership=shop["members"]["sales"])
    assert confirmed.status == SalesOrder.Status.CONFIRMED


def test_a_draft_moved_outside_the_contract_period_leaves_the_contract_price(shop):
    made_contract = contract(shop, end=today() + timedelta(days=5))
    made = order(shop, "sales", [{"product": shop["chair"], "quantity": D("4")}])
    assert made.contract_id == made_contract.pk and made.lines.get().unit_price == D("7.5")
    services.order_update(
        order=made, actor=shop["users"]["sales"], membership=shop["members"]["sales"], values={"date": today() + timedelta(days=30)}
    )
    made.refresh_from_db()
    assert made.contract_id is None
    assert made.lines.get().unit_price == D("10.0000")


def test_a_documents_price_list_comes_before_the_customers_not_instead_of_it(shop):
    admin, eur = shop["users"]["admin"], Currency.objects.get(company=shop["company"], code="EUR")
    own = catalog_services.price_list_save(
        company=shop["company"],
        actor=admin,
        values={"name": "Own", "currency": eur},
        items=[{"product": shop["chair"], "price": D("7.00")}],
    )
    promo = catalog_services.price_list_save(
        company=shop["company"],
        actor=admin,
        values={"name": "Promo", "currency": eur},
        items=[{"product": shop["desk"], "price": D("9.50")}],
    )
    buyer = shop["customer_of"]("sales", "C1", price_list=own)
    made = order(
        shop,
        "sales",
        [{"product": shop["chair"], "quantity": D("1")}, {"product": shop["desk"], "quantity": D("1")}],
        customer=buyer,
        price_list=promo,
    )
    assert [line.unit_price for line in made.lines.order_by("sequence")] == [D("7.0000"), D("9.5000")]


def test_a_manager_cannot_approve_a_price_they_asked_for(shop):
    made = order(shop, "manager", [{"product": shop["desk"], "quantity": D("1"), "unit_price": D("7.00")}])  # below the manager's band
    asked = approval_for(shop, made, who="manager")
    assert asked.requested_by_id == shop["users"]["manager"].pk
    with pytest.raises(NotAllowedToApprove):
        services.approval_approve(approval=asked, actor=shop["users"]["manager"], membership=shop["members"]["manager"])
    assert PriceApproval.objects.get(pk=asked.pk).status == PriceApproval.Status.PENDING
    services.approval_approve(approval=asked, actor=shop["users"]["admin"], membership=shop["members"]["admin"])


def test_an_approval_does_not_cover_the_same_line_with_another_product(shop):
    made = order(shop, "sales", [{"product": shop["desk"], "quantity": D("1"), "unit_price": D("8.00")}])
    services.approval_approve(approval=approval_for(shop, made), actor=shop["users"]["manager"], membership=shop["members"]["manager"])
    services.order_confirm(order=made, actor=shop["users"]["sales"], membership=shop["members"]["sales"])
    line = made.lines.get()
    with pytest.raises(PriceApprovalRequired):
        services.order_amend(
            order=made,
            actor=shop["users"]["sales"],
            membership=shop["members"]["sales"],
            lines=[{"id": line.pk, "product": shop["gold"], "quantity": D("1"), "unit_price": D("8.00")}],
        )
    assert made.lines.get().product_id == shop["desk"].pk


def test_the_price_overrides_report_adds_up_in_the_companys_currency(shop):
    admin = shop["users"]["admin"]
    yen = catalog_services.create(
        model=Currency, company=shop["company"], actor=admin, values={"code": "JPY", "name": "Yen", "decimal_places": 0}
    )
    catalog_services.rate_create(company=shop["company"], actor=admin, currency=yen, date=date(2020, 1, 1), rate=D("160"))
    in_yen = shop["customer_of"]("sales", "C2", currency=yen)
    for buyer, price in ((shop["customer"], D("8.00")), (in_yen, D("1280"))):  # each 1.00 EUR below the 9.00 floor
        made = order(shop, "sales", [{"product": shop["desk"], "quantity": D("1"), "unit_price": price}], customer=buyer)
        services.approval_approve(approval=approval_for(shop, made), actor=shop["users"]["manager"], membership=shop["members"]["manager"])
    rows = selectors.price_overrides_report(shop["company"], shop["members"]["admin"])
    assert [row["given_away"] for row in rows] == [D("2.00")]


def test_the_margin_floor_of_a_price_with_tax_included_includes_the_tax(shop, unit_pc):
    included = Tax.objects.create(company=shop["company"], name="VAT 21% included", rate=D("21"), included_in_price=True)
    product = Product.objects.create(
        company=shop["company"],
        sku="P-INC",
        name="Lamp",
        unit=unit_pc,
        list_price=D("150.00"),
        cost=D("100"),
        tax=included,
        min_margin_percent=D("10"),
    )
    made = order(shop, "sales", [{"product": product, "quantity": D("1"), "unit_price": D("115.00")}])  # 95.04 before tax: below cost
    assert made.lines.get().floor_price == D("133.1000")  # cost plus 10 %, plus the 21 % the price includes
    approval_for(shop, made)  # a salesperson may not sell below it without approval


def _quote(shop, lines, on=None):
    return services.quotation_create(
        company=shop["company"],
        actor=shop["users"]["sales"],
        membership=shop["members"]["sales"],
        customer=shop["customer"],
        lines=lines,
        date=on,
    )


def test_a_contract_customer_is_quoted_the_agreed_price_and_the_order_draws_on_the_contract(shop):
    made = contract(shop, price="7.50", quantity="10")
    quotation = _quote(shop, [{"product": shop["chair"], "quantity": D("4")}, {"product": shop["desk"], "quantity": D("1")}])
    chair = quotation.lines.get(product=shop["chair"])
    assert (chair.unit_price, chair.price_source) == (D("7.5000"), "contract")
    assert quotation.lines.get(product=shop["desk"]).price_source != "contract"
    sales, member = shop["users"]["sales"], shop["members"]["sales"]
    quotation = services.quotation_accept(
        quotation=services.quotation_send(quotation=quotation, actor=sales, to="buyer@example.com"), actor=sales
    )
    converted = services.quotation_convert(quotation=quotation, actor=sales, membership=member)
    assert converted.contract_id == made.pk
    assert converted.lines.get(product=shop["chair"]).contract_item == made.items.get()
    assert converted.lines.get(product=shop["desk"]).contract_item is None
    services.order_confirm(order=converted, actor=sales, membership=member)
    assert made.items.get().consumed_quantity == D("4")


def test_a_quotation_dated_outside_the_contract_is_quoted_the_list_price(shop):
    contract(shop, price="7.50", start=today() + timedelta(days=5), end=today() + timedelta(days=50))
    line = _quote(shop, [{"product": shop["chair"], "quantity": D("1")}]).lines.get()
    assert (line.unit_price, line.price_source) != (D("7.5000"), "contract")
    assert line.unit_price == D("10.0000")
