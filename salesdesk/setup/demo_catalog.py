"""The demo catalog: a category tree of office supplies, about 150 products and two price lists."""

from datetime import date
from decimal import Decimal

from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.models import Product, ProductCategory, Unit
from salesdesk.core import audit
from salesdesk.core.money import percent_of, round_money

# Top category: (SKU prefix, name, subcategories).
# Subcategory: (SKU part, name, tax, unit, variants, items); an item is (name, list price[, flag]),
# flag "inactive" (an old model still on file) or "incl" (a retail pack priced VAT included).
# Each item is filed once per variant ("" = no variant).
# fmt: off
_FURNITURE = (
    "FUR",
    "Office Furniture",
    (
        ("CHR", "Chairs", "VAT 21%", "pc", ("black", "grey"), (
            ("Ergonomic task chair", "189.00"),
            ("Mesh office chair", "149.00"),
            ("Executive leather chair", "389.00"),
            ("Visitor chair", "79.00"),
            ("Stacking chair", "45.00"),
            ("Drafting stool", "119.00"),
            ("Conference chair", "129.00", "inactive"),
        )),
        ("DSK", "Desks", "VAT 21%", "pc", ("white", "oak"), (
            ("Desk 120×80", "219.00"),
            ("Desk 160×80", "269.00"),
            ("Height-adjustable desk 140×70", "549.00"),
            ("Height-adjustable desk 160×80", "629.00"),
            ("Corner desk 160×120", "399.00"),
            ("Bench desk, 4 seats", "990.00"),
        )),
        ("STO", "Storage", "VAT 21%", "pc", ("white", "anthracite"), (
            ("Mobile pedestal, 3 drawers", "159.00"),
            ("Filing cabinet, 4 drawers", "289.00"),
            ("Bookcase, 5 shelves", "199.00"),
            ("Tall cupboard with lock", "349.00"),
            ("Locker, 6 doors", "459.00"),
            ("Tambour unit", "319.00"),
            ("Metal shelving unit", "139.00"),
            ("Coat stand", "59.00"),
        )),
        ("MTG", "Meeting Room", "VAT 21%", "pc", ("",), (
            ("Meeting table, 6 seats", "690.00"),
            ("Meeting table, 10 seats", "1190.00"),
            ("Round table Ø120", "349.00"),
            ("Magnetic whiteboard 120×90", "129.00"),
            ("Magnetic whiteboard 180×120", "219.00"),
            ("Flipchart easel", "149.00"),
            ("Acoustic wall panel 120×60", "179.00"),
            ("Projection screen 200 cm", "259.00"),
        )),
    ),
)

_ELECTRONICS = (
    "ELE",
    "Electronics",
    (
        ("LAP", "Laptops", "VAT 21%", "pc", ("",), (
            ("Nimbus ProBook 14, i5, 16 GB, 512 GB SSD", "949.00"),
            ("Nimbus ProBook 14, i7, 32 GB, 1 TB SSD", "1349.00"),
            ("Nimbus ProBook 15, Ryzen 5, 16 GB, 512 GB SSD", "899.00"),
            ("Nimbus ProBook 15, Ryzen 7, 32 GB, 1 TB SSD", "1249.00"),
            ("Nimbus UltraLite 13, i5, 16 GB, 512 GB SSD", "1099.00"),
            ("Nimbus UltraLite 13, i7, 32 GB, 1 TB SSD", "1499.00"),
            ("Nimbus WorkStation 16, i9, 64 GB, 2 TB SSD", "2690.00"),
            ("Nimbus EduBook 11, 8 GB, 128 GB", "399.00"),
            ("Nimbus ProBook 14 (2023), i5, 8 GB", "799.00", "inactive"),
        )),
        ("MON", "Monitors", "VAT 21%", "pc", ("",), (
            ('Vista 22" Full HD', "119.00", "inactive"),
            ('Vista 24" Full HD IPS', "149.00"),
            ('Vista 24" Full HD, USB-C', "219.00"),
            ('Vista 27" QHD IPS', "289.00"),
            ('Vista 27" 4K, USB-C', "429.00"),
            ('Vista 32" 4K', "549.00"),
            ('Vista 34" ultrawide, curved', "629.00"),
            ('Vista 27" touch, 10-point', "689.00"),
            ('Vista 16" portable, USB-C', "199.00"),
        )),
        ("PRN", "Printers", "VAT 21%", "pc", ("",), (
            ("Laser printer A4, mono", "189.00"),
            ("Laser printer A4, colour", "349.00"),
            ("Multifunction A4, colour, duplex", "529.00"),
            ("Multifunction A3, colour, 35 ppm", "2450.00"),
            ("Label printer, 62 mm", "159.00"),
            ("Thermal receipt printer", "229.00"),
            ("Document scanner, duplex", "399.00"),
        )),
        ("ACC", "Accessories", "VAT 21%", "pc", ("",), (
            ("Wireless keyboard, ES layout", "39.00"),
            ("Wireless mouse", "24.00"),
            ("Keyboard and mouse set, ES layout", "54.00"),
            ("USB-C docking station", "189.00"),
            ("USB-C hub, 7 ports", "49.00"),
            ("Headset with noise cancelling", "89.00"),
            ("Webcam Full HD", "69.00"),
            ("Webcam 4K with privacy cover", "139.00"),
            ('Laptop backpack 15.6"', "59.00"),
            ("Monitor arm, single", "79.00"),
            ("Monitor arm, dual", "129.00"),
            ("UPS 1500 VA", "229.00"),
            ("External SSD 1 TB", "109.00"),
            ("HDMI cable 2 m", "9.90"),
            ("USB-C cable 1 m", "12.90"),
            ("Network cable Cat6 5 m", "6.50"),
            ("Laptop stand, aluminium", "39.00"),
            ('Laptop sleeve 14"', "24.00"),
            ("Ergonomic footrest", "34.00"),
            ("LED desk lamp", "45.00"),
            ("Under-desk cable tray", "29.00"),
            ("Wireless mouse, retail pack", "29.95", "incl"),
            ("Headset, retail pack", "99.95", "incl"),
        )),
    ),
)

_CONSUMABLES = (
    "CON",
    "Consumables",
    (
        ("PAP", "Paper & Stationery", "VAT 21%", "pc", ("",), (
            ("Copy paper A4 80 g, ream of 500", "4.90"),
            ("Copy paper A4 80 g, box of 5 reams", "23.50"),
            ("Copy paper A3 80 g, ream of 500", "9.80"),
            ("Premium paper A4 100 g, ream of 500", "8.90"),
            ("Recycled paper A4 80 g, ream of 500", "5.40"),
            ("Photo paper A4 glossy, 50 sheets", "14.90"),
            ("Address labels 70×37, 100 sheets", "19.90"),
            ("Envelopes DL with window, box of 500", "17.50"),
            ("Envelopes C4, box of 250", "24.90"),
            ("Ballpoint pens blue, box of 50", "12.50"),
            ("Spiral notebooks A4, pack of 10", "18.90"),
            ("Stapler with 5,000 staples", "14.50"),
            ("Lever arch files, pack of 10", "21.00"),
            ("Sticky notes 76×76, 12 pads", "9.50"),
            ("Highlighters, pack of 4", "4.80"),
        )),
        ("INK", "Ink & Toner", "VAT 21%", "pc", ("",), (
            ("Toner black, standard yield", "59.00"),
            ("Toner black, high yield", "99.00"),
            ("Toner cyan", "79.00"),
            ("Toner magenta", "79.00"),
            ("Toner yellow", "79.00"),
            ("Ink cartridge black", "24.90"),
            ("Ink cartridge tricolour", "29.90"),
            ("Drum unit", "119.00"),
            ("Label tape 62 mm", "18.50"),
            ("Thermal paper rolls, pack of 50", "32.00"),
        )),
        ("PAN", "Pantry", "VAT 10%", "pc", ("",), (
            ("Coffee beans, 1 kg", "18.90", "kg"),
            ("Coffee capsules, box of 50", "17.50"),
            ("Tea assortment, 100 bags", "9.90"),
            ("Sugar, 1 kg", "1.60", "kg"),
            ("Still water 0.5 l, pack of 24", "6.90"),
            ("Semi-skimmed milk 1 l, pack of 6", "5.70"),
            ("Assorted biscuits, 1 kg", "8.40", "kg"),
        )),
        ("BOO", "Books & Manuals", "VAT 4%", "pc", ("",), (
            ("Office Ergonomics Handbook", "24.00"),
            ("Spreadsheets for Sales Teams", "29.00"),
            ("The Spanish VAT Guide", "39.00"),
            ("Consultative Selling", "27.00"),
            ("Leading a Sales Team", "32.00"),
        )),
    ),
)

_SERVICES = (
    "SRV",
    "Services",
    (
        ("INS", "Installation", "VAT 21%", "h", ("",), (
            ("Furniture assembly", "38.00"),
            ("Workstation set-up (IT)", "55.00"),
            ("Network cabling", "60.00"),
            ("Office move, technician", "42.00"),
            ("Printer installation and configuration", "55.00"),
        )),
        ("MNT", "Maintenance", "VAT 21%", "h", ("",), (
            ("Preventive maintenance visit", "65.00"),
            ("On-site repair", "75.00"),
            ("Remote support", "45.00"),
            ("Printer maintenance", "65.00"),
            ("Urgent call-out, same day", "110.00"),
            ("Data migration", "70.00", "inactive"),
        )),
        ("TRN", "Training", "Exempt", "h", ("",), (
            ("Office software training", "60.00"),
            ("Ergonomics workshop", "80.00"),
            ("Printer and scanner user training", "50.00"),
            ("Sales tools training", "90.00"),
        )),
    ),
)

CATALOG = (_FURNITURE, _ELECTRONICS, _CONSUMABLES, _SERVICES)
# fmt: on

# Serial numbers and warranties for equipment, by subcategory: (serial-tracked, warranty months).
_EQUIPMENT = {"LAP": (True, 24), "MON": (True, 36), "PRN": (True, 24), "ACC": (False, 12), "CHR": (False, 60), "DSK": (False, 60)}


def load_catalog(demo) -> None:
    units = {u.code: u for u in Unit.objects.filter(company=demo.company)}
    rng = demo.rng
    for top_sku, top_name, subs in CATALOG:
        top = _category(demo, top_name, None)
        for sub_sku, sub_name, tax_name, unit_code, variants, items in subs:
            sub = _category(demo, sub_name, top)
            serial, warranty = _EQUIPMENT.get(sub_sku, (False, 0))
            number = 0
            for name, price, *flags in items:
                for variant in variants:
                    number += 1
                    list_price = Decimal(price)
                    values = {
                        "sku": f"{top_sku}-{sub_sku}-{number:03d}",
                        "name": f"{name}, {variant}" if variant else name,
                        "category": sub,
                        "unit": units["kg" if "kg" in flags else unit_code],
                        "list_price": list_price,
                        # standard cost: 50-75 % of the list price (services carry mostly labour)
                        "cost": percent_of(list_price, Decimal(rng.randint(50, 75))),
                        "tax": demo.taxes["VAT 21% incl." if "incl" in flags else tax_name],
                        "kind": Product.Kind.SERVICE if top_sku == "SRV" else Product.Kind.GOODS,
                        "serial_tracked": serial,
                        "warranty_months": warranty,
                        "active": "inactive" not in flags,
                    }
                    roll = rng.randint(1, 100)
                    if roll <= 15:
                        values["floor_price"] = percent_of(list_price, Decimal(85))
                    elif roll <= 35:
                        values["max_discount_percent"] = Decimal(rng.choice((10, 15, 20)))
                    elif roll <= 40:
                        values["min_margin_percent"] = Decimal(15)
                    demo.products.append(catalog_services.create(model=Product, company=demo.company, actor=demo.admin, values=values))


def _category(demo, name: str, parent):
    category = catalog_services.create(
        model=ProductCategory, company=demo.company, actor=demo.admin, values={"name": name, "parent": parent}
    )
    demo.categories[name] = category
    return category


def load_price_lists(demo) -> None:
    """Wholesale (EUR) for the Wholesale group; Distributors (USD, fixed prices) for the Distributors group."""
    year = demo.today.year
    by_sku = {p.sku: p for p in demo.products if p.active}
    wholesale_items = [
        # whole categories
        {"category": demo.categories["Consumables"], "discount_percent": Decimal(8), "max_discount_percent": Decimal(15)},
        {"category": demo.categories["Chairs"], "discount_percent": Decimal(5)},
        {"category": demo.categories["Paper & Stationery"], "min_quantity": Decimal(50), "discount_percent": Decimal(12)},
    ]
    # quantity breaks: 5 % from 10 units, 10 % from 50, with a floor on the deepest break
    for sku in ("FUR-CHR-001", "FUR-CHR-003", "FUR-DSK-005", "ELE-MON-002", "ELE-MON-004", "ELE-ACC-003", "ELE-ACC-004", "CON-INK-001"):
        product = by_sku[sku]
        wholesale_items += [
            {"product": product, "min_quantity": Decimal(10), "discount_percent": Decimal(5)},
            {
                "product": product,
                "min_quantity": Decimal(50),
                "discount_percent": Decimal(10),
                "floor_price": percent_of(product.list_price, Decimal(85)),
            },
        ]
    # fixed prices on the best sellers, stepping down with the quantity
    for sku in ("CON-PAP-001", "CON-PAP-002", "ELE-LAP-001", "ELE-LAP-003"):
        product = by_sku[sku]
        for min_quantity, percent in ((0, 94), (20, 90), (100, 86)):
            wholesale_items.append(
                {
                    "product": product,
                    "min_quantity": Decimal(min_quantity),
                    "price": percent_of(product.list_price, Decimal(percent)),
                    "max_discount_percent": Decimal(5),
                }
            )
    wholesale = catalog_services.price_list_save(
        company=demo.company,
        actor=demo.admin,
        values={
            "name": f"Wholesale {year}",
            "currency": demo.currencies["EUR"],
            "customer_group": demo.groups["Wholesale"],
            "valid_from": date(year, 1, 1),
            "valid_to": date(year, 12, 31),
        },
        items=wholesale_items,
    )

    usd = demo.currencies["USD"]
    usd_rate = usd.rates.order_by("-date").first().rate
    distributor_items = []
    for product in demo.products:
        if not product.active or product.kind != Product.Kind.GOODS or product.category.parent.name != "Electronics":
            continue
        # 20 % below list, converted at the latest rate, ending in .90
        price = round_money(product.list_price * usd_rate * Decimal("0.80"), 0) - Decimal("0.10")
        distributor_items.append({"product": product, "price": max(price, Decimal("0.90"))})
    distributors = catalog_services.price_list_save(
        company=demo.company,
        actor=demo.admin,
        values={
            "name": "Distributors USD",
            "currency": usd,
            "customer_group": demo.groups["Distributors"],
            "valid_from": date(year, 1, 1),
            "valid_to": date(year, 12, 31),
        },
        items=distributor_items,
    )
    demo.price_lists = {"wholesale": wholesale, "distributors": distributors}
    # Retail and public-sector customers buy at list price; there is no company default list.
    for group_name, price_list in (("Wholesale", wholesale), ("Distributors", distributors)):
        demo.groups[group_name] = audit.audited_update(
            instance=demo.groups[group_name], actor=demo.admin, values={"price_list": price_list}
        )
