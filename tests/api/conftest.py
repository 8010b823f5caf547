"""Shared pieces of the API tests: a company with a little of every kind of master data, and the
fuzzing case counter printed at the end of the run."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from salesdesk.accounts import services as accounts_services

# Cases run by the schema fuzzer in this process, by identity ("admin", "sales").
FUZZ_CASES: dict[str, int] = {}
FUZZ_OPERATIONS: dict[str, set[str]] = {}
FUZZ_STATUSES: Counter = Counter()


_PENDING: list[tuple[str, int]] = []


def record_fuzz_cases(identity: str, operation: str, statuses: Counter) -> None:
    _PENDING.append((identity, sum(statuses.values())))
    FUZZ_CASES[identity] = FUZZ_CASES.get(identity, 0) + sum(statuses.values())
    FUZZ_OPERATIONS.setdefault(identity, set()).add(operation)
    FUZZ_STATUSES.update(statuses)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach this test's fuzzing case count to its report, so it reaches the xdist controller."""
    outcome = yield
    if call.when == "call" and _PENDING:
        report = outcome.get_result()
        for identity, cases in _PENDING:
            report.user_properties.append(("fuzz_cases", f"{identity}:{cases}"))
        _PENDING.clear()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The fuzzing figures in detail (when the fuzz tests ran in this process, i.e. without -n)."""
    if not FUZZ_CASES:
        return
    total = sum(FUZZ_CASES.values())
    parts = ", ".join(f"{who}: {n} cases over {len(FUZZ_OPERATIONS[who])} operations" for who, n in sorted(FUZZ_CASES.items()))
    terminalreporter.write_sep("-", "schema fuzzing")
    terminalreporter.write_line(f"schema fuzzing ran {total} cases ({parts})")
    terminalreporter.write_line("responses: " + ", ".join(f"{status}: {n}" for status, n in sorted(FUZZ_STATUSES.items())))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are created per test; the production hasher would spend most of the run on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def master_data(org, product, customer_of):
    """One row of each kind of master data in ACME, so that path ids like `{id}` exist."""
    from salesdesk.catalog import services as catalog_services
    from salesdesk.catalog.models import Currency, ProductCategory
    from salesdesk.core import audit
    from salesdesk.customers import services as customer_services
    from salesdesk.customers.models import CustomerGroup
    from salesdesk.inventory.models import Warehouse

    company = org["company"]
    admin = org["users"]["admin"]
    usd = audit.audited_create(model=Currency, company=company, actor=admin, values={"code": "USD", "name": "US Dollar"})
    rate = catalog_services.rate_create(company=company, actor=admin, currency=usd, date=date(2025, 1, 1), rate=Decimal("1.0850"))
    category = audit.audited_create(model=ProductCategory, company=company, actor=admin, values={"name": "Hardware"})
    price_list = catalog_services.price_list_save(
        company=company,
        actor=admin,
        values={"name": "Retail", "currency": Currency.objects.get(company=company, code="EUR")},
        items=[{"product": product, "price": Decimal("9.5000")}],
    )
    group = audit.audited_create(model=CustomerGroup, company=company, actor=admin, values={"name": "Wholesale", "price_list": price_list})
    term = customer_services.payment_term_save(
        company=company, actor=admin, name="30/60", lines=[{"percent": Decimal("50"), "days": 30}, {"percent": Decimal("50"), "days": 60}]
    )
    customer = customer_of(
        "sales",
        "C001",
        group=group,
        region=org["regions"]["North"],
        payment_term=term,
        price_list=price_list,
        credit_limit=Decimal("1000.00"),
    )
    contact = customer_services.contact_create(customer=customer, actor=admin, values={"name": "Ana", "email": "ana@example.com"})
    warehouse = audit.audited_create(model=Warehouse, company=company, actor=admin, values={"code": "MAIN", "name": "Main"})
    child_region = accounts_services.region_create(company=company, actor=admin, name="North-East", parent=org["regions"]["North"])
    return {
        "company": company,
        "currency": usd,
        "rate": rate,
        "category": category,
        "price_list": price_list,
        "group": group,
        "payment_term": term,
        "customer": customer,
        "contact": contact,
        "warehouse": warehouse,
        "product": product,
        "region": child_region,
    }


@pytest.fixture
def matrix_data(master_data, org, billing_documents, goods_documents):
    """`master_data` with the users by username, and the billing and goods documents."""
    return {**master_data, **billing_documents, **goods_documents, "users": org["users"]}


@pytest.fixture(autouse=True)
def sales_documents(request):
    """With `master_data`: a draft quotation, a draft order, an order waiting for a price approval
    and a draft contract, so that the fuzzer and the matrices reach existing sales documents."""
    if "master_data" not in request.fixturenames:
        return None
    from salesdesk.catalog.models import Product
    from salesdesk.sales import services as sales_services
    from salesdesk.sales.errors import PriceApprovalRequired

    data = request.getfixturevalue("master_data")
    users = request.getfixturevalue("users")
    company, customer, product = data["company"], data["customer"], data["product"]
    seller = users["sales"]
    membership = seller.memberships.get(company=company)
    floored = Product.objects.create(
        company=company,
        sku="P-FLOOR",
        name="Floored",
        unit=product.unit,
        list_price=Decimal("10"),
        floor_price=Decimal("8"),
        tax=product.tax,
    )
    common = {"company": company, "actor": seller, "membership": membership, "customer": customer}
    quotation = sales_services.quotation_create(**common, lines=[{"product": product, "quantity": Decimal("2")}])
    order = sales_services.order_create(**common, lines=[{"product": product, "quantity": Decimal("1")}])
    pending = sales_services.order_create(**common, lines=[{"product": floored, "quantity": Decimal("1"), "unit_price": Decimal("5")}])
    with pytest.raises(PriceApprovalRequired):
        sales_services.order_confirm(order=pending, actor=seller, membership=membership)
    contract = sales_services.contract_create(
        company=company,
        actor=users["admin"],
        customer=customer,
        valid_from=date(2025, 1, 1),
        valid_to=date(2099, 12, 31),
        items=[{"product": product, "price": Decimal("9"), "quantity": Decimal("100")}],
    )
    from salesdesk.ledger import services as ledger_services

    entry = ledger_services.post_entry(
        company=company,
        date=date(2025, 1, 15),
        memo="Opening sale",
        lines=[
            {"role": "receivable", "debit": Decimal("12.10"), "customer": customer},
            {"role": "revenue", "credit": Decimal("10.00")},
            {"role": "tax_payable", "credit": Decimal("2.10")},
        ],
    )
    return {"quotation": quotation, "order": order, "pending_order": pending, "contract": contract, "journal_entry": entry}


@pytest.fixture(autouse=True)
def billing_documents(request):
    """Billing documents in master_data's company, so invoice, payment, deposit and letter ids exist."""
    if "master_data" not in request.fixturenames:
        return None
    from salesdesk.billing import services as billing
    from salesdesk.sales import services as sales_services

    request.getfixturevalue("sales_documents")
    data = request.getfixturevalue("master_data")
    users = request.getfixturevalue("users")
    company, customer, product = data["company"], data["customer"], data["product"]
    admin, accountant = users["admin"], users["accountant"]
    membership = admin.memberships.get(company=company)
    order = sales_services.order_create(
        company=company, actor=admin, membership=membership, customer=customer, lines=[{"product": product, "quantity": Decimal("3")}]
    )
    order = sales_services.order_confirm(order=order, actor=admin, membership=membership)
    deposit = billing.deposit_create(company=company, actor=accountant, customer=customer, amount=Decimal("5.00"), sales_order=order)
    invoice = billing.invoice_post(
        invoice=billing.invoice_from_order(order=order, actor=accountant, membership=membership), actor=accountant
    )
    overdue = billing.invoice_create(
        company=company,
        actor=accountant,
        membership=membership,
        customer=customer,
        lines=[{"product": product, "quantity": Decimal("1")}],
        issue_date=date(2025, 1, 15),
    )
    overdue = billing.invoice_post(invoice=overdue, actor=accountant)
    draft = billing.invoice_create(
        company=company, actor=accountant, membership=membership, customer=customer, lines=[{"product": product, "quantity": Decimal("2")}]
    )
    payment = billing.payment_create(
        company=company,
        actor=accountant,
        customer=customer,
        amount=Decimal("20.00"),
        allocations=[{"invoice": invoice, "amount": Decimal("10.00")}],
    )
    letters = billing.dunning_run(company=company, actor=accountant, send=False)
    return {
        "invoice": invoice,
        "overdue_invoice": overdue,
        "draft_invoice": draft,
        "payment": payment,
        "deposit": deposit,
        "dunning_letter": letters[0],
    }


@pytest.fixture(autouse=True)
def goods_documents(request):
    """Goods documents in master_data's company, so stock, delivery, return, dispute and adjustment ids exist.

    Stock is received (the billing fixture's order gets its goods reserved); an order of 6 has a delivery
    of 2 delivered, one of 2 shipped (it can be refused), one of 1 in draft and 1 still outstanding; a
    return of 1 from the delivered one waits for approval; the posted invoice has an open dispute."""
    if "master_data" not in request.fixturenames:
        return None
    from salesdesk.billing import services as billing
    from salesdesk.fulfilment import services as fulfilment
    from salesdesk.sales import services as sales_services

    documents = request.getfixturevalue("billing_documents")
    data = request.getfixturevalue("master_data")
    users = request.getfixturevalue("users")
    company, customer, product, warehouse = data["company"], data["customer"], data["product"], data["warehouse"]
    admin = users["admin"]
    membership = admin.memberships.get(company=company)
    receipt = fulfilment.stock_adjust(
        company=company,
        actor=admin,
        warehouse=warehouse,
        reason="Opening stock",
        lines=[{"product": product, "quantity": Decimal("20"), "unit_cost": Decimal("6")}],
        kind="receipt",
    )
    order = sales_services.order_create(
        company=company, actor=admin, membership=membership, customer=customer, lines=[{"product": product, "quantity": Decimal("6")}]
    )
    order = sales_services.order_confirm(order=order, actor=admin, membership=membership)
    line = order.lines.get()

    def delivery(quantity: str):
        return fulfilment.delivery_create(
            order=order, actor=admin, membership=membership, lines=[{"order_line": line.pk, "quantity": Decimal(quantity)}]
        )

    delivered = fulfilment.delivery_ship(delivery=delivery("2"), actor=admin)
    delivered = fulfilment.delivery_deliver(delivery=delivered, actor=admin)
    shipped = fulfilment.delivery_ship(delivery=delivery("2"), actor=admin)
    draft = delivery("1")
    returned = fulfilment.return_create(
        company=company,
        actor=admin,
        membership=membership,
        customer=customer,
        delivery=delivered,
        lines=[{"product": product, "quantity": Decimal("1"), "reason": "Scratched"}],
    )
    dispute = billing.dispute_open(invoice=documents["invoice"], actor=users["accountant"], reason="price", amount=Decimal("1.00"))
    return {
        "receipt": receipt,
        "goods_order": order,
        "delivered": delivered,
        "shipped": shipped,
        "draft_delivery": draft,
        "return": returned,
        "dispute": dispute,
    }
