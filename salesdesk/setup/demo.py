"""The demo company: a lived-in Spanish trading company for `make run` and for trying things out.

Everything is written through the services (validated, audited), acting as the demo
`admin`, from a fixed random seed, so two loads on two machines give the same data (dates
follow today's date, so that rates and price lists stay current).
Demo users have password = username: this module is never called by production settings.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services
from salesdesk.accounts.models import Company, Membership, Region, SalesTeam, User
from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Currency, Tax
from salesdesk.core import audit
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import PaymentTerm
from salesdesk.inventory.models import Warehouse
from salesdesk.reporting import services as reporting_services
from salesdesk.sales.models import SalesOrder
from salesdesk.setup import demo_billing, demo_goods, demo_history, demo_sales
from salesdesk.setup.demo_catalog import load_catalog, load_price_lists
from salesdesk.setup.demo_customers import load_customer_groups, load_customers
from salesdesk.setup.services import company_setup

DEMO_CODE = "DEMO"
DEMO_NAME = "Demo Trading S.L."
SEED = 20260101

# What invoices print and e-invoices carry about the seller (a valid CIF and a valid Spanish IBAN).
LEGAL_DETAILS = {
    "legal_name": "Demo Trading S.L.",
    "tax_id": "ESB28123453",
    "street": "Calle de Alcalá 120, 3º",
    "postal_code": "28009",
    "city": "Madrid",
    "email": "facturacion@demo-trading.example.com",
    "phone": "+34 910 555 014",
    "iban": "ES9121000418450200051332",
}

# username, full name, role, team, reports to
USERS = (
    ("admin", "Elena Navarro", roles.ADMINISTRATOR, None, None),
    ("manager", "Javier Ortega", roles.SALES_MANAGER, "North", None),
    ("sales", "Lucía Martín", roles.SALESPERSON, "North", "manager"),
    ("sales2", "Pablo Ruiz", roles.SALESPERSON, "North", "manager"),
    ("sales3", "Carmen Morales", roles.SALESPERSON, "South", None),
    ("warehouse", "Diego Sánchez", roles.WAREHOUSE_CLERK, None, None),
    ("accountant", "Marta Iglesias", roles.ACCOUNTANT, None, None),
)

# name, rate, included in price
TAXES = (
    ("VAT 21%", "21", False),
    ("VAT 10%", "10", False),
    ("VAT 4%", "4", False),
    ("Exempt", "0", False),
    ("VAT 21% incl.", "21", True),
)

# code, name, rate per 1 EUR two years ago, rate today (the quarters in between drift between them)
CURRENCIES = (
    ("USD", "US Dollar", "1.0850", "1.1650"),
    ("GBP", "Pound Sterling", "0.8560", "0.8640"),
    ("CNY", "Yuan Renminbi", "7.8200", "8.2900"),
)

# name, instalments (percent, days)
PAYMENT_TERMS = (
    ("Immediate", ((100, 0),)),
    ("30 days", ((100, 30),)),
    ("60 days", ((100, 60),)),
    ("30/60 days", ((50, 30), (50, 60))),
    ("40% now, 60% at 30 days", ((40, 0), (60, 30))),
)


@dataclass
class Demo:
    """What the loaders share: the company, who acts, the random source and what exists so far."""

    company: Company
    admin: User
    membership: Membership
    rng: random.Random
    today: date
    users: dict[str, User] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    teams: dict[str, SalesTeam] = field(default_factory=dict)
    taxes: dict[str, Tax] = field(default_factory=dict)
    currencies: dict[str, Currency] = field(default_factory=dict)
    terms: dict[str, PaymentTerm] = field(default_factory=dict)
    groups: dict[str, Any] = field(default_factory=dict)
    categories: dict[str, Any] = field(default_factory=dict)
    products: list[Any] = field(default_factory=list)
    history: dict[str, int] = field(default_factory=dict)  # rows written by the two-year history, per table
    facts: int = 0
    price_lists: dict[str, Any] = field(default_factory=dict)
    warehouse: Warehouse | None = None
    customers: list[Any] = field(default_factory=list)


def demo_needed() -> bool:
    """The demo loads only into an empty installation, never next to real companies."""
    return not Company.objects.exists()


@transaction.atomic
def load_demo() -> Demo:
    company = company_setup(code=DEMO_CODE, name=DEMO_NAME, base_currency="EUR", country="ES")
    admin = accounts_services.user_create(
        company=company,
        actor=None,
        username="admin",
        password="admin",
        full_name=USERS[0][1],
        email=_email(USERS[0][1]),
        roles=[roles.ADMINISTRATOR],
    )
    company = accounts_services.company_update(company=company, actor=admin, values=LEGAL_DETAILS)
    demo = Demo(
        company=company,
        admin=admin,
        membership=admin.memberships.get(company=company),
        rng=random.Random(SEED),
        today=timezone.localdate(),
        users={"admin": admin},
    )
    _load_organization(demo)
    _load_taxes(demo)
    _load_currencies(demo)
    _load_payment_terms(demo)
    load_customer_groups(demo)
    load_catalog(demo)
    load_price_lists(demo)
    demo.warehouse = audit.audited_create(
        model=Warehouse,
        company=company,
        actor=admin,
        values={
            "code": "MAIN",
            "name": "Main warehouse Madrid",
            "address": "Calle de la Logística 14\nPolígono Industrial Las Mercedes\n28022 Madrid\nSpain",
        },
    )
    load_customers(demo)
    demo.history = demo_history.load_history(demo)
    demo_sales.load_sales(demo)
    demo_billing.load_billing(demo)
    demo_goods.load_goods(demo)
    # Dashboards and the analysis read the sales facts: written now, not at the first page view.
    demo.facts = reporting_services.refresh(company=company)
    return demo


def _email(full_name: str) -> str:
    ascii_name = full_name.lower().translate(str.maketrans("áéíóúñü", "aeiounu"))
    return ascii_name.replace(" ", ".") + "@example.com"


def _load_organization(demo: Demo) -> None:
    """Regions North, South and Islands (below South); team North led by `manager`.

    Team South has no manager of its own, as in the test fixtures: `sales3` reports to no
    one, so approvals for the South fall to the administrator.
    """
    company, admin = demo.company, demo.admin
    for name, parent in (("North", None), ("South", None), ("Islands", "South")):
        demo.regions[name] = accounts_services.region_create(company=company, actor=admin, name=name, parent=demo.regions.get(parent or ""))
    manager = _user(demo, "manager")
    demo.teams["North"] = accounts_services.team_save(
        company=company, actor=admin, name="North", region=demo.regions["North"], manager=manager
    )
    demo.teams["South"] = accounts_services.team_save(
        company=company, actor=admin, name="South", region=demo.regions["South"], manager=None
    )
    for username, *_ in USERS[2:]:
        _user(demo, username)
    # The manager existed before the team it leads; now place them in it.
    accounts_services.membership_set(
        company=company, actor=admin, user=manager, roles=[roles.SALES_MANAGER], team=demo.teams["North"], region=demo.regions["North"]
    )


def _user(demo: Demo, username: str) -> User:
    _, full_name, role, team_name, reports_to = next(row for row in USERS if row[0] == username)
    team = demo.teams.get(team_name or "")
    demo.users[username] = accounts_services.user_create(
        company=demo.company,
        actor=demo.admin,
        username=username,
        password=username,
        full_name=full_name,
        email=_email(full_name),
        roles=[role],
        team=team,
        region=team.region if team else None,
        manager=demo.users.get(reports_to or ""),
    )
    return demo.users[username]


def _load_taxes(demo: Demo) -> None:
    for name, rate, included in TAXES:
        demo.taxes[name] = catalog_services.create(
            model=Tax, company=demo.company, actor=demo.admin, values={"name": name, "rate": Decimal(rate), "included_in_price": included}
        )


def _load_currencies(demo: Demo) -> None:
    """USD, GBP and CNY with a rate at the start of each quarter of the last two years."""
    demo.currencies["EUR"] = Currency.objects.get(company=demo.company, code="EUR")
    quarters = _quarter_starts(demo.today, 8)
    for code, name, then, now in CURRENCIES:
        currency = catalog_services.create(model=Currency, company=demo.company, actor=demo.admin, values={"code": code, "name": name})
        demo.currencies[code] = currency
        then, now = Decimal(then), Decimal(now)
        for i, day in enumerate(quarters):
            trend = then + (now - then) * i / (len(quarters) - 1)
            wobble = trend * demo.rng.randint(-150, 150) / 10000 if 0 < i < len(quarters) - 1 else Decimal(0)
            rate = (trend + wobble).quantize(Decimal("0.0001"))
            catalog_services.rate_create(company=demo.company, actor=demo.admin, currency=currency, date=day, rate=rate)


def _quarter_starts(today: date, count: int) -> list[date]:
    """The first days of the last `count` quarters, oldest first, the current one last."""
    year, month = today.year, (today.month - 1) // 3 * 3 + 1
    days = []
    for _ in range(count):
        days.append(date(year, month, 1))
        month -= 3
        if month < 1:
            year, month = year - 1, month + 12
    return days[::-1]


def _load_payment_terms(demo: Demo) -> None:
    for name, lines in PAYMENT_TERMS:
        demo.terms[name] = customer_services.payment_term_save(
            company=demo.company, actor=demo.admin, name=name, lines=[{"percent": Decimal(p), "days": d} for p, d in lines]
        )


def summary(demo: Demo) -> list[str]:
    """What was loaded, one line each, for the command's output."""
    by_owner: dict[str, int] = {}
    for customer in demo.customers:
        by_owner[customer.salesperson.username] = by_owner.get(customer.salesperson.username, 0) + 1
    status: dict[str, int] = {}
    for customer in demo.customers:
        status[customer.status] = status.get(customer.status, 0) + 1
    return [
        f"Company {demo.company.code} {demo.company.name} (base currency {demo.company.base_currency})",
        f"Users: {', '.join(f'{u}/{u}' for u in demo.users)}",
        f"Regions: {len(demo.regions)}, teams: {len(demo.teams)}, taxes: {len(demo.taxes)}, "
        f"currencies: {len(demo.currencies)}, payment terms: {len(demo.terms)}",
        f"Product categories: {len(demo.categories)}, products: {len(demo.products)}, price lists: {len(demo.price_lists)}, "
        f"warehouses: {1 if demo.warehouse else 0}",
        f"Customers: {len(demo.customers)} ({', '.join(f'{k} {v}' for k, v in sorted(status.items()))}); "
        f"by salesperson: {', '.join(f'{k} {v}' for k, v in sorted(by_owner.items()))}",
        f"History: {demo.history.get(SalesOrder._meta.db_table, 0)} settled orders over the last two years; sales facts: {demo.facts}",
        *demo_sales.summary(demo.company),
        *demo_billing.summary(demo.company),
        *demo_goods.summary(demo.company),
    ]
