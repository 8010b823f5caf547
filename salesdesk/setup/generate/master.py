"""The generated company's set-up and master data: users, taxes, terms, warehouse, customers, products.

The company, its users and its few reference rows go through the services like any other
company. Customers and products come by the thousand, so they are bulk-inserted (without
audit rows: nobody edited them). Every generated user has an unusable password: set one with
`manage.py changepassword bench-admin` to look around; the benchmarks log in with tokens.
"""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.accounts import services as accounts_services
from salesdesk.accounts.models import Company, User
from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Currency, Product, ProductCategory, Tax, Unit
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer, CustomerAccount, PaymentTerm
from salesdesk.inventory.models import Warehouse
from salesdesk.setup.services import company_setup

CREDIT_LIMIT = Decimal("1000000.00")
TERM_DAYS = 30

# Name parts: customer and product names are made of these, so a search for one word finds
# about one name in forty (what the list benchmarks search for).
CUSTOMER_WORDS = [
    "Alba",
    "Atlas",
    "Azul",
    "Baltic",
    "Boreal",
    "Castell",
    "Cierzo",
    "Coral",
    "Delta",
    "Duero",
    "Ebro",
    "Faro",
    "Garnet",
    "Helix",
    "Iberia",
    "Iris",
    "Jade",
    "Lince",
    "Lumen",
    "Mistral",
    "Nautic",
    "Norte",
    "Olivo",
    "Orion",
    "Pampa",
    "Pinar",
    "Quasar",
    "Rioja",
    "Sable",
    "Sierra",
    "Solano",
    "Tajo",
    "Terra",
    "Trigo",
    "Ulla",
    "Vega",
    "Vela",
    "Zafiro",
    "Zenit",
]
CUSTOMER_TRADES = [
    "Foods",
    "Logistics",
    "Hotels",
    "Pharma",
    "Textiles",
    "Motors",
    "Builders",
    "Retail",
    "Markets",
    "Energy",
    "Labs",
    "Wines",
]
CUSTOMER_FORMS = ("S.L.", "S.A.", "Ltd", "GmbH", "SARL", "B.V.")
PRODUCT_NOUNS = [
    "Bolt",
    "Bracket",
    "Cable",
    "Clamp",
    "Drill",
    "Filter",
    "Gasket",
    "Hinge",
    "Lamp",
    "Motor",
    "Panel",
    "Pump",
    "Sensor",
    "Switch",
    "Valve",
    "Wheel",
]
PRODUCT_ADJECTIVES = ["Compact", "Heavy", "Light", "Pro", "Smart", "Steel", "Eco", "Mini", "Max", "Ultra", "Basic", "Prime"]
CATEGORIES = ("Hardware", "Electrical", "Hydraulics", "Tools", "Lighting", "Spare parts")
# name, rate, share of products
TAXES = (("VAT 21%", "21", 70), ("VAT 10%", "10", 20), ("VAT 4%", "4", 10))


@dataclass
class Master:
    """What the history generator needs of the company, loaded once."""

    company: Company
    admin: User
    warehouse_id: int
    currency_id: int
    term_id: int
    salespeople: list[int] = field(default_factory=list)
    # (id, salesperson id)
    customers: list[tuple[int, int]] = field(default_factory=list)
    # (id, list price, cost, tax id, tax rate)
    products: list[tuple[int, Decimal, Decimal, int, Decimal]] = field(default_factory=list)


def scaled(base: int, scale: float) -> int:
    """How many of something at `scale` (1,000 customers at scale 1: 100,000 at scale 100)."""
    return int(base * scale + 0.5)


def company_name(scale: float, seed: int) -> str:
    return f"Bench Trading (scale {scale:g}, seed {seed})"


@transaction.atomic
def create_master(*, code: str, scale: float, seed: int) -> Master:
    rng = random.Random(seed)
    company = company_setup(code=code, name=company_name(scale, seed), base_currency="EUR", country="ES")
    admin = accounts_services.user_create(company=company, actor=None, username=f"{code.lower()}-admin", roles=[roles.ADMINISTRATOR])
    manager = accounts_services.user_create(company=company, actor=admin, username=f"{code.lower()}-manager", roles=[roles.SALES_MANAGER])
    team = accounts_services.team_save(company=company, actor=admin, name="Field sales", manager=manager)
    for username, role in (("clerk", roles.WAREHOUSE_CLERK), ("accountant", roles.ACCOUNTANT)):
        accounts_services.user_create(company=company, actor=admin, username=f"{code.lower()}-{username}", roles=[role])
    salespeople = [
        accounts_services.user_create(
            company=company,
            actor=admin,
            username=f"{code.lower()}-sales-{i:02d}",
            roles=[roles.SALESPERSON],
            team=team,
            manager=manager,
        )
        for i in range(1, max(5, min(100, scaled(10, scale))) + 1)
    ]
    key_accounts(company, admin)
    taxes = [
        (catalog_services.create(model=Tax, company=company, actor=admin, values={"name": name, "rate": Decimal(rate)}), share)
        for name, rate, share in TAXES
    ]
    term = customer_services.payment_term_save(
        company=company, actor=admin, name=f"{TERM_DAYS} days", lines=[{"percent": 100, "days": TERM_DAYS}]
    )
    catalog_services.create(model=Warehouse, company=company, actor=admin, values={"code": "MAIN", "name": "Main warehouse"})
    currency = Currency.objects.get(company=company, code="EUR")
    _customers(company, rng, scaled(1000, scale), [s.pk for s in salespeople], currency, term)
    _products(company, rng, scaled(1000, scale), taxes)
    return load_master(company)


def key_accounts(company: Company, admin: User) -> User:
    """The key-accounts team: one salesperson in ten moved to it, with a manager of their own
    (the area manager), who sees only them; the sales manager still has everyone reporting to
    them. The benchmark times the leader's view of a manager of part of the sales force this way.
    Kept if it exists (companies generated before it are given it by the benchmark)."""
    code = company.code.lower()
    found = User.objects.filter(username=f"{code}-area-manager", memberships__company=company).first()
    if found is not None:
        return found
    area = accounts_services.user_create(company=company, actor=admin, username=f"{code}-area-manager", roles=[roles.SALES_MANAGER])
    sellers = list(User.objects.filter(memberships__company=company, username__startswith=f"{code}-sales-").order_by("username"))
    accounts_services.team_save(
        company=company, actor=admin, name="Key accounts", manager=area, members=sellers[: max(1, len(sellers) // 10)]
    )
    return area


def _customers(company, rng: random.Random, count: int, salespeople: list[int], currency, term) -> None:
    now = timezone.now()
    batch = []
    for i in range(1, max(count, 1) + 1):
        name = f"{rng.choice(CUSTOMER_WORDS)} {rng.choice(CUSTOMER_TRADES)} {i} {rng.choice(CUSTOMER_FORMS)}"
        batch.append(
            Customer(
                company=company,
                code=f"C{i:07d}",
                name=name,
                legal_name=name,
                salesperson_id=salespeople[i % len(salespeople)],
                currency=currency,
                payment_term=term,
                credit_limit=CREDIT_LIMIT,
                status=Customer.Status.ACTIVE,
                email=f"orders{i}@customer.example.com",
                country="ES",
                billing_address=f"Calle Mayor {i % 200 + 1}\n28001 Madrid",
                created_at=now,
            )
        )
    customers = Customer.objects.bulk_create(batch, batch_size=2000)
    CustomerAccount.objects.bulk_create((CustomerAccount(company=company, customer=c) for c in customers), batch_size=2000)


def _products(company, rng: random.Random, count: int, taxes) -> None:
    unit = Unit.objects.filter(company=company).order_by("id").first()
    categories = [ProductCategory.objects.create(company=company, name=name) for name in CATEGORIES]
    shares = [share for _, share in taxes]
    batch = []
    for i in range(1, max(count, 1) + 1):
        price = Decimal(rng.randint(500, 50000)) / 100
        cost = (price * Decimal(rng.randint(45, 75)) / 100).quantize(Decimal("0.01"))
        tax = rng.choices([t for t, _ in taxes], weights=shares)[0]
        batch.append(
            Product(
                company=company,
                sku=f"P{i:07d}",
                name=f"{rng.choice(PRODUCT_ADJECTIVES)} {rng.choice(PRODUCT_NOUNS)} {i}",
                category=rng.choice(categories),
                unit=unit,
                list_price=price,
                cost=cost,
                tax=tax,
                kind=Product.Kind.GOODS,
            )
        )
    Product.objects.bulk_create(batch, batch_size=2000)


def load_master(company: Company, *, admin: User | None = None, customers=None, products=None) -> Master:
    """The generated company's master data; another company (the demo) names its administrator
    and which of its customers and products the history may use."""
    code = company.code.lower()
    admin = admin or User.objects.get(username=f"{code}-admin")
    master = Master(
        company=company,
        admin=admin,
        warehouse_id=Warehouse.objects.get(company=company, code="MAIN").pk,
        currency_id=Currency.objects.get(company=company, code=company.base_currency).pk,
        term_id=PaymentTerm.objects.filter(company=company).order_by("id").values_list("pk", flat=True).first(),
    )
    if customers is None:
        customers = Customer.objects.filter(company=company, code__startswith="C")
    master.customers = list(customers.order_by("id").values_list("id", "salesperson_id"))
    master.salespeople = sorted({s for _, s in master.customers})
    rates = dict(Tax.objects.filter(company=company).values_list("id", "rate"))
    if products is None:
        products = Product.objects.filter(company=company, sku__startswith="P")
    master.products = [
        (pk, price, cost, tax_id, rates[tax_id])
        for pk, price, cost, tax_id in products.order_by("id").values_list("id", "list_price", "cost", "tax_id")
    ]
    return master
