"""Demo customers: about 200 files across the salespeople, Spanish in the main, some abroad."""

import unicodedata
from decimal import Decimal

from salesdesk.core import audit
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer, CustomerGroup

CUSTOMER_COUNT = 200

# Who owns how many customers (out of 100), and the region their files sit in.
OWNERS = (("sales", 35), ("sales2", 31), ("sales3", 29), ("manager", 5))

GROUPS = ("Retail", "Wholesale", "Distributors", "Public sector")

# city, province, postal code prefix (also the CIF province code)
CITIES = {
    "North": (
        ("Bilbao", "Bizkaia", "48"),
        ("San Sebastián", "Gipuzkoa", "20"),
        ("Vitoria-Gasteiz", "Araba", "01"),
        ("Santander", "Cantabria", "39"),
        ("Oviedo", "Asturias", "33"),
        ("Gijón", "Asturias", "33"),
        ("A Coruña", "A Coruña", "15"),
        ("Vigo", "Pontevedra", "36"),
        ("Pamplona", "Navarra", "31"),
        ("Logroño", "La Rioja", "26"),
        ("Burgos", "Burgos", "09"),
        ("León", "León", "24"),
        ("Valladolid", "Valladolid", "47"),
        ("Zaragoza", "Zaragoza", "50"),
    ),
    "South": (
        ("Sevilla", "Sevilla", "41"),
        ("Málaga", "Málaga", "29"),
        ("Marbella", "Málaga", "29"),
        ("Granada", "Granada", "18"),
        ("Córdoba", "Córdoba", "14"),
        ("Cádiz", "Cádiz", "11"),
        ("Jerez de la Frontera", "Cádiz", "11"),
        ("Almería", "Almería", "04"),
        ("Huelva", "Huelva", "21"),
        ("Jaén", "Jaén", "23"),
        ("Murcia", "Murcia", "30"),
    ),
    "Islands": (
        ("Palma", "Illes Balears", "07"),
        ("Eivissa", "Illes Balears", "07"),
        ("Las Palmas de Gran Canaria", "Las Palmas", "35"),
        ("Santa Cruz de Tenerife", "Santa Cruz de Tenerife", "38"),
    ),
}

# fmt: off
SURNAMES = (
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Jiménez", "Hernández", "Díaz",
    "Moreno", "Álvarez", "Muñoz", "Romero", "Alonso", "Gutiérrez", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez",
    "Serrano", "Blanco", "Molina", "Suárez", "Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Núñez", "Medina", "Garrido",
    "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto", "Méndez", "Cruz", "Calvo", "Gallego", "Vidal", "León",
    "Herrera", "Márquez", "Peña", "Flores", "Cabrera", "Campos", "Vega", "Fuentes", "Carrasco", "Caballero", "Reyes", "Nieto",
    "Aguilar", "Pascual", "Santana", "Herrero", "Lorenzo", "Montero", "Hidalgo", "Ibáñez", "Ferrer", "Durán", "Benítez", "Mora",
    "Vicente", "Vargas", "Arias", "Carmona", "Crespo", "Pastor", "Soto", "Velasco", "Soler", "Parra", "Esteban", "Bravo", "Gallardo",
    "Rojas", "Etxeberria", "Goikoetxea", "Arrieta", "Otero", "Rivas", "Castaño", "Uriarte",
)
FIRST_NAMES = (
    "María", "Carmen", "Ana", "Laura", "Isabel", "Lucía", "Cristina", "Marta", "Sara", "Paula", "Raquel", "Pilar", "Nuria", "Silvia",
    "Beatriz", "Rosa", "Teresa", "Ainhoa", "Antonio", "José", "Manuel", "Francisco", "David", "Juan", "Daniel", "Carlos", "Miguel",
    "Alejandro", "Rafael", "Pedro", "Ángel", "Fernando", "Sergio", "Jorge", "Alberto", "Luis", "Iñaki", "Xabier", "Jordi",
)
# fmt: on
JOB_TITLES = (
    "Purchasing manager",
    "Office manager",
    "Managing director",
    "Accounts payable",
    "IT manager",
    "Facilities manager",
    "Buyer",
    "Head of procurement",
)
STREETS = (
    "Calle Mayor",
    "Gran Vía",
    "Avenida de la Constitución",
    "Calle del Puerto",
    "Calle San Francisco",
    "Calle Real",
    "Avenida de Andalucía",
    "Paseo del Mar",
    "Calle Nueva",
    "Avenida de la Industria",
    "Calle de los Reyes Católicos",
    "Plaza de Santa María",
    "Calle del Carmen",
    "Avenida de Castilla",
)
ESTATES = ("El Campillo", "La Estación", "Los Olivos", "San Cristóbal", "Las Arenas", "El Prado")

# Name patterns per group; {s} and {t} are surnames, {c} the city, {p} the province.
PATTERNS = {
    "Retail": (
        "Gestoría {s}",
        "Clínica Dental {s}",
        "Farmacia {s} {t}",
        "Talleres {s}",
        "Inmobiliaria {s}",
        "{s} & {t} Abogados",
        "Arquitectura {s}",
        "Autoescuela {s}",
        "Academia {s}",
        "Construcciones {s} {t}",
        "Transportes {s}",
        "Asesoría {s} y Asociados",
        "Hotel Plaza {c}",
        "Óptica {s}",
        "Seguros {s}",
    ),
    "Wholesale": (
        "Distribuciones {s}",
        "Suministros {c}",
        "Papelería {s}",
        "Comercial {s} {t}",
        "Ofimática {c}",
        "Equipamientos {s}",
        "Informática {s}",
        "Mobiliario {s} Hermanos",
        "Oficina Total {c}",
    ),
    "Public sector": (
        "Ayuntamiento de {c}",
        "Diputación de {p}",
        "Hospital Universitario de {c}",
        "Universidad de {c}",
        "Biblioteca Municipal de {c}",
        "Consorcio de Aguas de {c}",
        "IES {s} {t}",
    ),
}

# name, legal name, tax id, country, currency, group, address, phone, contacts (name, job title)
FOREIGN = (
    ("Thames Office Supplies", "Thames Office Supplies Ltd", "GB284619375", "GB", "GBP", "Retail",
     "14 Southwark Street\nLondon SE1 1RQ\nUnited Kingdom", "+44 20 7946 0321", (("Oliver Bennett", "Buyer"),)),
    ("Pennine Workspace", "Pennine Workspace Ltd", "GB193847562", "GB", "GBP", "Retail",
     "Unit 7, Trafford Park Road\nManchester M17 1HH\nUnited Kingdom", "+44 161 496 0178", (("Emily Clarke", "Office manager"),)),
    ("Clyde Business Systems", "Clyde Business Systems Ltd", "GB371946284", "GB", "GBP", "Retail",
     "220 West George Street\nGlasgow G2 2PQ\nUnited Kingdom", "+44 141 496 0455", (("Callum Reid", "IT manager"),)),
    ("Severn Stationers", "Severn Stationers Ltd", "GB462819357", "GB", "GBP", "Retail",
     "3 Temple Way\nBristol BS1 6HG\nUnited Kingdom", "+44 117 496 0902", (("Hannah Price", "Purchasing manager"),)),
    ("Atlantic Office Distributors", "Atlantic Office Distributors Inc.", "59-3847261", "US", "USD", "Distributors",
     "1200 Brickell Avenue, Suite 800\nMiami, FL 33131\nUnited States", "+1 305 555 0147", (("Michael Torres", "Head of procurement"),)),
    ("Lone Star Business Supply", "Lone Star Business Supply LLC", "74-2938475", "US", "USD", "Distributors",
     "5100 Westheimer Road\nHouston, TX 77056\nUnited States", "+1 713 555 0190", (("Sarah Mitchell", "Buyer"),)),
    ("Mexicana de Oficinas", "Mexicana de Oficinas S.A. de C.V.", "MOF0103219K4", "MX", "USD", "Distributors",
     "Av. Paseo de la Reforma 250, Piso 9\nCol. Juárez, 06600 Ciudad de México\nMexico", "+52 55 5555 0133",
     (("Alejandra Ríos", "Purchasing manager"),)),
    ("Andes Distribución", "Andes Distribución S.A.S.", "900.482.317-5", "CO", "USD", "Distributors",
     "Carrera 7 # 71-21, Torre B\nBogotá 110231\nColombia", "+57 601 555 0188", (("Camilo Restrepo", "Managing director"),)),
    ("深圳华信贸易 Huaxin Trading", "深圳市华信贸易有限公司", "91440300MA5FKX3T2R", "CN", "USD", "Distributors",
     "Room 1805, Block B, Futian Business Center\nShenzhen 518048, Guangdong\nChina", "+86 755 8888 0123",
     (("王伟 Wang Wei", "Head of procurement"), ("李娜 Li Na", "Accounts payable"))),
    ("上海明达办公 Mingda Office", "上海明达办公用品有限公司", "91310115MA1HB7QX4C", "CN", "USD", "Distributors",
     "No. 88 Zhangjiang Road, Pudong\nShanghai 201203\nChina", "+86 21 5555 0166", (("张敏 Zhang Min", "Buyer"),)),
    ("广州恒通电子 Hengtong Electronics", "广州恒通电子科技有限公司", "91440101MA59RT8L6W", "CN", "USD", "Distributors",
     "18 Tianhe North Road, 12/F\nGuangzhou 510620, Guangdong\nChina", "+86 20 5555 0177", (("陈杰 Chen Jie", "IT manager"),)),
    ("Maghreb Bureau", "Maghreb Bureau SARL", "002184736000057", "MA", "USD", "Distributors",
     "45 Boulevard d'Anfa\nCasablanca 20000\nMorocco", "+212 522 555 014", (("Youssef Benali", "Managing director"),)),
)  # fmt: skip

NOTES = (
    "Deliveries before 10:00 only; goods-in closed in August.",
    "Quote the purchase order number on every invoice.",
    "Prefers to be contacted by email.",
    "Framework agreement renewed each January.",
    "Asks for a quotation before every order over 5,000.",
    "Second site opening next quarter: follow up.",
)
BLOCK_REASONS = (
    "Invoices more than 90 days overdue.",
    "Returned direct debit; awaiting payment.",
    "Disputed invoices under review; new orders on hold.",
)

_CIF_LETTERS = "JABCDEFGHI"


def load_customer_groups(demo) -> None:
    for name in GROUPS:
        demo.groups[name] = audit.audited_create(model=CustomerGroup, company=demo.company, actor=demo.admin, values={"name": name})


def load_customers(demo) -> None:
    rng = demo.rng
    kinds = [("foreign", row) for row in FOREIGN] + [("domestic", None)] * (CUSTOMER_COUNT - len(FOREIGN))
    rng.shuffle(kinds)
    owners = [name for name, _ in OWNERS]
    weights = [weight for _, weight in OWNERS]
    used_names: set[str] = set()
    for number, (kind, row) in enumerate(kinds, start=1):
        owner = demo.users[rng.choices(owners, weights)[0]]
        region_name = "North" if owner.username != "sales3" else rng.choice(("South", "South", "South", "Islands"))
        if kind == "foreign":
            values, contacts = _foreign(demo, row)
        else:
            values, contacts = _domestic(demo, region_name, used_names)
        group_name = values["group"].name
        values.update(
            {
                "code": f"C{number:04d}",
                "region": demo.regions[region_name],
                "salesperson": owner,
                "payment_term": demo.terms[_payment_term(rng, group_name)],
                "credit_limit": _credit_limit(rng, group_name),
                "overdue_block_days": rng.choice((30, 45, 60, 90)) if rng.random() < 0.25 else None,
                "notes": rng.choice(NOTES) if rng.random() < 0.2 else "",
            }
        )
        if group_name == "Distributors" and rng.random() < 0.5:
            values["price_list"] = demo.price_lists["distributors"]
        elif group_name == "Retail" and values["currency"].code == "EUR" and rng.random() < 0.06:
            values["price_list"] = demo.price_lists["wholesale"]  # a negotiated deal for a large retail account
        customer = customer_services.customer_create(
            company=demo.company, actor=demo.admin, membership=demo.membership, values=values, contacts=contacts
        )
        demo.customers.append(_set_status(demo, customer))


def _set_status(demo, customer: Customer) -> Customer:
    """Most files are active; some are still prospects; a few have been blocked since."""
    roll = demo.rng.random()
    if roll < 0.14:
        return customer
    customer = customer_services.customer_set_status(
        customer=customer, actor=demo.admin, status=Customer.Status.ACTIVE, note="First order received."
    )
    if roll > 0.96:
        customer = customer_services.customer_set_status(
            customer=customer, actor=demo.admin, status=Customer.Status.BLOCKED, note=demo.rng.choice(BLOCK_REASONS)
        )
    return customer


def _domestic(demo, region_name: str, used_names: set[str]):
    rng = demo.rng
    group_name = rng.choices(("Retail", "Wholesale", "Public sector"), (50, 35, 15))[0]
    while True:
        city, province, prefix = rng.choice(CITIES[region_name])
        surname, other = rng.sample(SURNAMES, 2)
        name = rng.choice(PATTERNS[group_name]).format(s=surname, t=other, c=city, p=province)
        if name not in used_names:
            break
    used_names.add(name)
    if group_name == "Public sector":
        legal_name = name
        letter = "P" if name.startswith(("Ayuntamiento", "Diputación")) else "Q"
    else:
        suffix, letter = rng.choice(((" S.L.", "B"), (" S.L.", "B"), (" S.L.U.", "B"), (" S.A.", "A")))
        legal_name = name + suffix
    postal = f"{prefix}{rng.randint(1, 80):03d}"
    street = f"{rng.choice(STREETS)}, {rng.randint(1, 180)}"
    if rng.random() < 0.5:
        street += f", {rng.randint(1, 8)}º {rng.choice('ABCD')}"
    billing = f"{street}\n{postal} {city}\n{province}\nSpain"
    shipping = billing
    if rng.random() < 0.35:
        shipping = f"Polígono Industrial {rng.choice(ESTATES)}, nave {rng.randint(1, 40)}\n{postal} {city}\n{province}\nSpain"
    domain = _slug(name) + ".example.com"
    values = {
        "name": name,
        "legal_name": legal_name,
        "tax_id": _cif(rng, letter, prefix),
        "country": "ES",
        "group": demo.groups[group_name],
        "currency": demo.currencies["EUR"],
        "email": f"{rng.choice(('info', 'compras', 'administracion', 'pedidos'))}@{domain}",
        "phone": f"+34 9{rng.randint(10, 89)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
        "billing_address": billing,
        "shipping_address": shipping,
    }
    contacts = []
    for i in range(rng.choice((1, 1, 2))):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        contacts.append(
            {
                "name": f"{first} {last}",
                "job_title": rng.choice(JOB_TITLES),
                "email": f"{_slug(first)}.{_slug(last)}@{domain}",
                "phone": f"+34 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                "is_primary": i == 0,
            }
        )
    return values, contacts


def _foreign(demo, row):
    name, legal_name, tax_id, country, currency, group_name, address, phone, people = row
    domain = _slug(name) + ".example.com"  # Chinese characters drop out of the slug, the pinyin stays
    values = {
        "name": name,
        "legal_name": legal_name,
        "tax_id": tax_id,
        "country": country,
        "group": demo.groups[group_name],
        "currency": demo.currencies[currency],
        "email": f"purchasing@{domain}",
        "phone": phone,
        "billing_address": address,
        "shipping_address": address,
    }
    contacts = [
        {
            "name": person,
            "job_title": title,
            "email": f"{_slug(person).replace('-', '.')}@{domain}",
            "phone": phone,
            "is_primary": i == 0,
        }
        for i, (person, title) in enumerate(people)
    ]
    return values, contacts


def _payment_term(rng, group_name: str) -> str:
    options = {
        "Retail": (("Immediate", 20), ("30 days", 50), ("40% now, 60% at 30 days", 15), ("30/60 days", 15)),
        "Wholesale": (("30 days", 30), ("60 days", 30), ("30/60 days", 40)),
        "Public sector": (("60 days", 70), ("30 days", 30)),
        "Distributors": (("40% now, 60% at 30 days", 50), ("30 days", 50)),
    }[group_name]
    return rng.choices([name for name, _ in options], [weight for _, weight in options])[0]


def _credit_limit(rng, group_name: str) -> Decimal | None:
    """A limit in the customer's currency; public bodies mostly have none, and so do some others."""
    if rng.random() < (0.6 if group_name == "Public sector" else 0.08):
        return None
    low, high, step = {
        "Retail": (3, 25, 1000),
        "Wholesale": (4, 30, 5000),
        "Public sector": (2, 10, 10000),
        "Distributors": (5, 25, 10000),
    }[group_name]
    return Decimal(rng.randint(low, high) * step)


def _cif(rng, letter: str, province: str) -> str:
    """A Spanish CIF with a valid control character: letter, province, five digits, control."""
    digits = province + f"{rng.randint(0, 99999):05d}"
    even = sum(int(d) for d in digits[1::2])
    odd = sum(sum(divmod(int(d) * 2, 10)) for d in digits[0::2])
    control = (10 - (even + odd) % 10) % 10
    return letter + digits + (_CIF_LETTERS[control] if letter in "PQRSNW" else str(control))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(w for w in words if w not in {"de", "del", "la", "las", "los", "y"})[:40].strip("-")
