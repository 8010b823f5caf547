"""Turning entered lines into priced, validated lines with amounts, floors and totals."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from salesdesk.accounts import roles
from salesdesk.catalog.models import Product, Tax
from salesdesk.catalog.pricing import NoExchangeRate
from salesdesk.core.errors import Invalid
from salesdesk.core.money import MAX_AMOUNT, ZERO, display
from salesdesk.sales import floors, prices
from salesdesk.sales.models import ContractItem
from salesdesk.sales.selectors import sales_settings
from salesdesk.sales.totals import LineInput, document_totals


@dataclass
class PricedLine:
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax: Tax | None
    description: str
    list_price: Decimal
    floor_price: Decimal | None
    price_source: str
    price_explanation: list[str]
    contract_item: ContractItem | None = None
    amount: Decimal = ZERO
    id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def net_unit_price(self) -> Decimal:
        return self.unit_price * (Decimal(100) - self.discount_percent) / Decimal(100)

    def model_values(self) -> dict[str, Any]:
        values = {
            "product": self.product,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "discount_percent": self.discount_percent,
            "tax": self.tax,
            "description": self.description,
            "list_price": self.list_price,
            "floor_price": self.floor_price,
            "price_source": self.price_source,
            "price_explanation": self.price_explanation,
            "amount": self.amount,
        }
        return values


def _decimal(raw, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append("A number is required.")
        return None


def build(*, company, customer, currency: str, on: date, raw_lines: Sequence[dict], price_list=None, contract=None) -> list[PricedLine]:
    """Validate and price every line; refuse the whole document with the failing fields per line."""
    if not raw_lines:
        raise Invalid({"lines": ["Add at least one line."]})
    lists = prices.candidates(company, customer, price_list)
    out: list[PricedLine] = []
    line_errors: list[dict[str, list[str]]] = []
    drawn: dict[int, Decimal] = {}  # contract item -> what earlier lines of this document take of it
    for raw in raw_lines:
        errors: dict[str, list[str]] = {}
        product = raw.get("product")
        if not isinstance(product, Product) or product.company_id != company.pk:
            errors["product"] = ["Unknown product."]
        elif not product.active:
            errors["product"] = ["This product is no longer sold."]
        quantity = _decimal(raw.get("quantity"), "quantity", errors)
        if quantity is None and "quantity" not in errors:
            errors["quantity"] = ["This field is required."]
        elif quantity is not None and quantity <= 0:
            errors["quantity"] = ["Must be greater than zero."]
        unit_price = _decimal(raw.get("unit_price"), "unit_price", errors)
        if unit_price is not None and unit_price < 0:
            errors["unit_price"] = ["Cannot be negative."]
        discount = _decimal(raw.get("discount_percent"), "discount_percent", errors) or ZERO
        if not ZERO <= discount <= 100:
            errors["discount_percent"] = ["Must be between 0 and 100."]
        tax = raw.get("tax", getattr(product, "tax", None) if "product" not in errors else None)
        if tax is not None and (not isinstance(tax, Tax) or tax.company_id != company.pk):
            errors["tax"] = ["Unknown tax."]
        line_errors.append(errors)
        if errors:
            continue
        try:
            quote = prices.quote_product(
                company=company,
                customer=customer,
                product=product,
                quantity=quantity,
                on=on,
                currency=currency,
                lists=lists,
                contract=contract,
                drawn=drawn,
            )
        except NoExchangeRate as exc:
            line_errors[-1] = {"product": [f"No exchange rate for {exc.currency} on {exc.on.isoformat()}."]}
            continue
        result, result_price, floor, explanation, source, item = (
            quote.result,
            quote.unit_price,
            quote.floor_price,
            list(quote.explanation),
            quote.source,
            quote.contract_item,
        )
        if item is not None:
            drawn[item.pk] = drawn.get(item.pk, ZERO) + quantity
        if unit_price is None:
            unit_price = result_price
        else:
            explanation.append(f"price entered by hand: {display(unit_price)}")
            source = "manual"
        out.append(
            PricedLine(
                product=product,
                quantity=quantity,
                unit_price=unit_price,
                discount_percent=discount,
                tax=tax,
                description=(raw.get("description") or product.name)[:300],
                list_price=result.reference_price,
                floor_price=floor,
                price_source=source,
                price_explanation=explanation,
                contract_item=item,
                id=raw.get("id"),
            )
        )
    if any(line_errors):
        raise Invalid({"lines": line_errors})
    return out


def apply_totals(lines: Sequence, places: int, *, frozen: bool = False):
    """Set each line's amount and return the document totals (frozen on the document by the caller).

    Each line is taxed at its tax's rate now, or with `frozen` at the rate the line holds
    (`tax_rate`, `tax_included`): a credit note takes back tax as the invoice charged it."""
    totals = document_totals(
        [
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate if frozen else line.tax.rate if line.tax else None,
                tax_included=line.tax_included if frozen else bool(line.tax and line.tax.included_in_price),
            )
            for line in lines
        ],
        places=places,
    )
    _refuse_too_large(totals)
    for line, amount in zip(lines, totals.line_amounts, strict=True):
        line.amount = amount
    return totals


def _refuse_too_large(totals) -> None:
    """Refused before anything is written: a figure past `MAX_AMOUNT` could not be stored exactly.
    The lines that are too large are named; a total too large for lines that fit is the document's."""
    message = f"The amount is too large (at most {MAX_AMOUNT - 1:,} per line and per document)."
    too_large = {i for i, amount in enumerate(totals.line_amounts) if abs(amount) >= MAX_AMOUNT}
    if too_large:
        raise Invalid({"lines": [{"amount": [message]} if i in too_large else {} for i in range(len(totals.line_amounts))]})
    if abs(totals.total) >= MAX_AMOUNT:
        raise Invalid({"lines": [message]})


def authority_band(membership) -> Decimal | None:
    """How far below the floor this member may sell: None means no limit (administrators)."""
    if membership.has_role(roles.ADMINISTRATOR):
        return None
    settings = sales_settings(membership.company)
    if membership.has_role(roles.SALES_MANAGER):
        return settings.manager_band_percent
    return settings.salesperson_band_percent


def breaches(lines: Sequence, membership) -> list[floors.Breach]:
    checks = [floors.LineCheck(key=i, net_unit_price=line.net_unit_price, floor=line.floor_price) for i, line in enumerate(lines)]
    return floors.breaches(checks, authority_band(membership))
