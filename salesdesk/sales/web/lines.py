"""Line entry: service errors placed on the right line, and the live totals preview.

The preview prices lines the way the services do (a unit price left empty is decided by the
price list, through `selectors.price_preview`) and totals them with `totals.document_totals`.
It never writes anything.
"""

import ast
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from salesdesk.catalog.models import Currency, PriceList, Product
from salesdesk.core.errors import DomainError, Invalid
from salesdesk.core.money import ZERO, stored_places
from salesdesk.core.web.resource import lenient_date
from salesdesk.customers.selectors import customers_visible
from salesdesk.sales import selectors
from salesdesk.sales.models import Contract
from salesdesk.sales.totals import LineInput, document_totals
from salesdesk.sales.web.display import tax_rows

MAX_PREVIEW_LINES = 200


def _as_dict(value) -> dict[str, list[str]] | None:
    """A line's errors: a dict, or (from services that stringify them) its printed form."""
    if isinstance(value, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return None
        return _as_dict(parsed) if isinstance(parsed, dict) else None
    return None


def apply_line_errors(error: DomainError, formset, key: str = "lines") -> DomainError | None:
    """Put an `Invalid`'s per-line errors (`{key: [{field: [msg]}, ...]}`) on the formset rows.

    Returns what is left for the header form (None when everything found its place).
    """
    if not isinstance(error, Invalid) or key not in error.details or formset is None:
        return error
    rows = formset.kept_forms()
    per_line = error.details[key]
    rest = {k: v for k, v in error.details.items() if k != key}
    if isinstance(per_line, list) and len(per_line) == len(rows) and all(_as_dict(v) is not None for v in per_line):
        for form, raw in zip(rows, per_line, strict=True):
            for name, msgs in (_as_dict(raw) or {}).items():
                form.add_error(name if name in form.fields else None, msgs)
    else:
        messages = per_line if isinstance(per_line, list) else [per_line]
        rest[key] = [str(m) for m in messages]
    if not rest:
        return None
    leftover = Invalid()
    leftover.details = rest
    leftover.message = error.message
    return leftover


# --- the live preview ---------------------------------------------------------------------


@dataclass
class PreviewLine:
    index: int
    product: Product | None
    quantity: Decimal | None
    unit_price: Decimal | None = None
    discount_percent: Decimal = ZERO
    from_price_list: bool = False
    explanation: list[str] = field(default_factory=list)
    floor_price: Decimal | None = None
    amount: Decimal | None = None
    problem: str = ""


def _decimal(raw: str | None) -> Decimal | None:
    raw = (raw or "").strip().replace(" ", "")
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _pick(model_qs, raw):
    return model_qs.filter(pk=raw).first() if raw and str(raw).isdigit() else None


def _header(request) -> dict[str, Any]:
    post, company = request.POST, request.company
    customer = _pick(customers_visible(company, request.membership).select_related("currency", "group"), post.get("customer"))
    currency = _pick(Currency.objects.filter(company=company), post.get("currency"))
    if currency is None and customer is not None and customer.currency_id:
        currency = customer.currency
    if currency is None:
        currency = Currency.objects.filter(company=company, code=company.base_currency).first()
    on = lenient_date(post.get("date") or "") or timezone.localdate()
    return {
        "customer": customer,
        "currency": currency,
        "currency_code": currency.code if currency else company.base_currency,
        "price_list": _pick(PriceList.objects.filter(company=company, active=True), post.get("price_list")),
        # A contract the member may see, of this customer: its agreed prices are the customer's.
        "contract": _pick(
            selectors.contracts_visible(company, request.membership).filter(status=Contract.Status.ACTIVE, customer=customer),
            post.get("contract"),
        )
        if customer is not None
        else None,
        "on": on,
    }


def read_lines(request, prefix: str = "lines") -> list[PreviewLine]:
    """The posted line rows worth pricing, each with the first problem found in its input."""
    post = request.POST
    try:
        count = min(int(post.get(f"{prefix}-TOTAL_FORMS", "0")), MAX_PREVIEW_LINES)
    except ValueError:
        count = 0
    products = Product.objects.filter(company=request.company, active=True).select_related("tax")
    out = []
    for i in range(count):
        key = f"{prefix}-{i}-"
        if post.get(key + "DELETE"):
            continue
        product = _pick(products, post.get(key + "product"))
        quantity = _decimal(post.get(key + "quantity"))
        if product is None and quantity is None:
            continue
        line = PreviewLine(index=i, product=product, quantity=quantity)
        line.unit_price = _decimal(post.get(key + "unit_price"))
        line.discount_percent = _decimal(post.get(key + "discount_percent")) or ZERO
        if product is None:
            line.problem = _("Choose a product.")
        elif quantity is None or quantity <= 0:
            line.problem = _("The quantity must be greater than zero.")
        elif line.unit_price is not None and line.unit_price < 0:
            line.problem = _("The unit price cannot be negative.")
        elif not ZERO <= line.discount_percent <= 100:
            line.problem = _("The discount must be between 0 and 100 %.")
        out.append(line)
    return out


def _contract_price(contract, line: PreviewLine) -> tuple[Decimal, str] | None:
    if contract is None:
        return None
    item = contract.items.filter(product=line.product).first()
    if item is None or not (contract.allow_over_commitment or line.quantity <= item.remaining_quantity):
        return None
    return item.price, _("Contract %(number)s: agreed price.") % {"number": contract.number}


def _price(header, line: PreviewLine, company) -> None:
    contract_price = _contract_price(header["contract"], line) if line.unit_price is None else None
    if contract_price is not None:
        line.unit_price, reason = contract_price
        line.from_price_list, line.explanation = True, [reason]
        return
    if header["customer"] is None:
        if line.unit_price is None:
            line.unit_price, line.from_price_list = line.product.list_price, True
            line.explanation = [_("No customer chosen yet: the product's list price.")]
        return
    result = selectors.price_preview(
        company=company,
        customer=header["customer"],
        product=line.product,
        quantity=line.quantity,
        on=header["on"],
        currency=header["currency_code"],
        price_list=header["price_list"],
    )
    line.floor_price = getattr(result, "floor_price", None)
    line.explanation = [str(s) for s in getattr(result, "explanation", ())]
    if line.unit_price is None:
        line.unit_price, line.from_price_list = result.unit_price, True
    else:
        line.explanation.append(_("Price entered by hand."))


def preview_context(request) -> dict[str, Any]:
    header = _header(request)
    lines = read_lines(request)
    for line in lines:
        if line.problem:
            continue
        try:
            _price(header, line, request.company)
        except DomainError as exc:
            line.problem = exc.message
        except LookupError:  # no exchange rate for the document's currency on that date
            line.problem = _("No exchange rate for this currency on the document date.")
    priced = [line for line in lines if not line.problem]
    totals = document_totals(
        [
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.product.tax.rate if line.product.tax_id else None,
                tax_included=bool(line.product.tax_id and line.product.tax.included_in_price),
            )
            for line in priced
        ],
        places=stored_places(header["currency_code"]),
    )
    for line, amount in zip(priced, totals.line_amounts, strict=True):
        line.amount = amount
    return {
        "preview_lines": lines,
        "totals": totals,
        "taxes": tax_rows(totals),
        "currency_code": header["currency_code"],
        "customer": header["customer"],
        "on": header["on"] if isinstance(header["on"], date) else None,
    }
