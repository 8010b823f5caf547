"""OASIS UBL 2.1 Invoice / CreditNote with the EN 16931 customization.

Elements are written in the order of the UBL 2.1 schema sequences (an out-of-order element
makes the document invalid); the business terms (BT-…) are named where they are written.
"""

from lxml import etree

from salesdesk.billing.einvoice import semantic
from salesdesk.billing.einvoice.semantic import EInvoice, Party, amount, number, percent, price

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _cac(parent, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{tag}")


def _cbc(parent, tag: str, text: str, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrs)
    element.text = text
    return element


def _money(parent, tag: str, value, currency: str) -> None:
    _cbc(parent, tag, amount(value), currencyID=currency)


def _tax_category(parent, tag: str, category: str, rate, exemption_reason: str = "") -> None:
    node = _cac(parent, tag)
    _cbc(node, "ID", category)
    _cbc(node, "Percent", percent(rate))
    if exemption_reason:
        _cbc(node, "TaxExemptionReason", exemption_reason)
    _cbc(_cac(node, "TaxScheme"), "ID", "VAT")


def _party(parent, tag: str, party: Party) -> None:
    party_node = _cac(_cac(parent, tag), "Party")
    if party.email:
        _cbc(party_node, "EndpointID", party.email, schemeID="EM")  # BT-34 / BT-49
    if party.trading_name:
        _cbc(_cac(party_node, "PartyName"), "Name", party.trading_name)  # BT-28 / BT-45
    address = _cac(party_node, "PostalAddress")
    lines = [party.street] if party.street else list(party.address_lines)
    if lines:
        _cbc(address, "StreetName", lines[0])
    if len(lines) > 1:
        _cbc(address, "AdditionalStreetName", lines[1])
    if party.city:
        _cbc(address, "CityName", party.city)
    if party.postal_code:
        _cbc(address, "PostalZone", party.postal_code)
    if len(lines) > 2:
        _cbc(_cac(address, "AddressLine"), "Line", ", ".join(lines[2:]))
    _cbc(_cac(address, "Country"), "IdentificationCode", party.country)
    if party.vat_id:
        scheme = _cac(party_node, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", party.vat_id)
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    _cbc(_cac(party_node, "PartyLegalEntity"), "RegistrationName", party.name)  # BT-27 / BT-44
    if party.phone or party.email:
        contact = _cac(party_node, "Contact")
        if party.phone:
            _cbc(contact, "Telephone", party.phone)
        if party.email:
            _cbc(contact, "ElectronicMail", party.email)


def _line(parent, line: semantic.Line, doc: EInvoice) -> None:
    node = _cac(parent, "CreditNoteLine" if doc.is_credit_note else "InvoiceLine")
    _cbc(node, "ID", line.id)
    _cbc(node, "CreditedQuantity" if doc.is_credit_note else "InvoicedQuantity", number(line.quantity), unitCode=line.unit_code)
    _money(node, "LineExtensionAmount", line.amount, doc.currency)
    item = _cac(node, "Item")
    if line.description:
        _cbc(item, "Description", line.description)
    _cbc(item, "Name", line.name)
    if line.seller_id:
        _cbc(_cac(item, "SellersItemIdentification"), "ID", line.seller_id)
    _tax_category(item, "ClassifiedTaxCategory", line.category, line.rate)
    price_node = _cac(node, "Price")
    _cbc(price_node, "PriceAmount", price(line.net_price), currencyID=doc.currency)
    if line.price_base is not None:
        _cbc(price_node, "BaseQuantity", number(line.price_base), unitCode=line.unit_code)
    if line.gross_price is not None:
        discount = _cac(price_node, "AllowanceCharge")
        _cbc(discount, "ChargeIndicator", "false")
        _cbc(discount, "Amount", price(line.price_discount), currencyID=doc.currency)
        _cbc(discount, "BaseAmount", price(line.gross_price), currencyID=doc.currency)


def _header(root, doc: EInvoice) -> None:
    _cbc(root, "CustomizationID", semantic.CUSTOMIZATION_ID)
    _cbc(root, "ID", doc.number)
    _cbc(root, "IssueDate", doc.issue_date.isoformat())
    if doc.is_credit_note:
        _cbc(root, "CreditNoteTypeCode", doc.type_code)
    else:
        if doc.due_date:
            _cbc(root, "DueDate", doc.due_date.isoformat())
        _cbc(root, "InvoiceTypeCode", doc.type_code)
    for note in doc.notes:
        _cbc(root, "Note", note)
    _cbc(root, "DocumentCurrencyCode", doc.currency)
    if doc.tax_currency:
        _cbc(root, "TaxCurrencyCode", doc.tax_currency)
    if doc.buyer_order_reference or doc.sales_order_reference:
        order = _cac(root, "OrderReference")
        _cbc(order, "ID", doc.buyer_order_reference or "NA")  # BT-13; "NA" when only the seller's order is known
        if doc.sales_order_reference:
            _cbc(order, "SalesOrderID", doc.sales_order_reference)  # BT-14
    if doc.preceding_number:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")  # BG-3
        _cbc(reference, "ID", doc.preceding_number)
        _cbc(reference, "IssueDate", doc.preceding_date.isoformat())


def _payment(root, doc: EInvoice) -> None:
    if doc.payment_means_code:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", doc.payment_means_code)
        _cbc(means, "PaymentID", doc.number)  # BT-83
        if doc.iban:
            _cbc(_cac(means, "PayeeFinancialAccount"), "ID", doc.iban)
    if doc.payment_terms:
        _cbc(_cac(root, "PaymentTerms"), "Note", doc.payment_terms)


def _totals(root, doc: EInvoice) -> None:
    tax_total = _cac(root, "TaxTotal")
    _money(tax_total, "TaxAmount", doc.tax_total, doc.currency)
    for tax in doc.taxes:
        subtotal = _cac(tax_total, "TaxSubtotal")
        _money(subtotal, "TaxableAmount", tax.base, doc.currency)
        _money(subtotal, "TaxAmount", tax.amount, doc.currency)
        _tax_category(subtotal, "TaxCategory", tax.category, tax.rate, tax.exemption_reason)
    if doc.tax_currency:
        # BT-111: the tax total in the company's accounting currency, without a breakdown.
        _money(_cac(root, "TaxTotal"), "TaxAmount", doc.tax_total_in_tax_currency, doc.tax_currency)
    monetary = _cac(root, "LegalMonetaryTotal")
    _money(monetary, "LineExtensionAmount", doc.line_total, doc.currency)
    _money(monetary, "TaxExclusiveAmount", doc.line_total, doc.currency)
    _money(monetary, "TaxInclusiveAmount", doc.grand_total, doc.currency)
    _money(monetary, "PrepaidAmount", doc.prepaid, doc.currency)
    _money(monetary, "PayableAmount", doc.due_payable, doc.currency)


def document(doc: EInvoice) -> etree._Element:
    main_ns = CREDIT_NOTE_NS if doc.is_credit_note else INVOICE_NS
    root = etree.Element(f"{{{main_ns}}}{'CreditNote' if doc.is_credit_note else 'Invoice'}", nsmap={None: main_ns, "cac": CAC, "cbc": CBC})
    _header(root, doc)
    _party(root, "AccountingSupplierParty", doc.seller)
    _party(root, "AccountingCustomerParty", doc.buyer)
    _payment(root, doc)
    _totals(root, doc)
    for line in doc.lines:
        _line(root, line, doc)
    return root


def ubl_xml(invoice) -> bytes:
    """The UBL 2.1 XML of a posted invoice (Invoice) or credit note (CreditNote), UTF-8."""
    return etree.tostring(document(semantic.build(invoice)), xml_declaration=True, encoding="UTF-8", pretty_print=True)
