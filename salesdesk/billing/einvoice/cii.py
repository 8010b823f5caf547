"""UN/CEFACT Cross Industry Invoice (D16B) for the EN 16931 profile: the XML inside a Factur-X / ZUGFeRD PDF.

Elements follow the sequence of the Factur-X EN 16931 schema; the business terms
(BT-…) are named where they are written.
"""

from lxml import etree

from salesdesk.billing.einvoice import semantic
from salesdesk.billing.einvoice.semantic import EInvoice, Party, amount, number, percent, price

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}


def _el(parent, ns: str, tag: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _ram(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    return _el(parent, RAM, tag, text, **attrs)


def _date(parent, tag: str, value, *, qualified: bool = False) -> None:
    """A date as CCYYMMDD (format 102)."""
    holder = _ram(parent, tag)
    _el(holder, QDT if qualified else UDT, "DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent, tag: str, party: Party) -> None:
    node = _ram(parent, tag)
    _ram(node, "Name", party.name)  # BT-27 / BT-44
    if party.trading_name:
        legal = _ram(node, "SpecifiedLegalOrganization")
        _ram(legal, "TradingBusinessName", party.trading_name)  # BT-28 / BT-45
    if party.phone or party.email:
        contact = _ram(node, "DefinedTradeContact")
        if party.phone:
            _ram(_ram(contact, "TelephoneUniversalCommunication"), "CompleteNumber", party.phone)
        if party.email:
            _ram(_ram(contact, "EmailURIUniversalCommunication"), "URIID", party.email)
    address = _ram(node, "PostalTradeAddress")
    if party.postal_code:
        _ram(address, "PostcodeCode", party.postal_code)
    lines = [party.street] if party.street else list(party.address_lines)
    if len(lines) > 3:
        lines = [*lines[:2], ", ".join(lines[2:])]
    for tag_name, text in zip(("LineOne", "LineTwo", "LineThree"), lines, strict=False):
        _ram(address, tag_name, text)
    if party.city:
        _ram(address, "CityName", party.city)
    _ram(address, "CountryID", party.country)
    if party.email:
        _ram(_ram(node, "URIUniversalCommunication"), "URIID", party.email, schemeID="EM")  # electronic address
    if party.vat_id:
        _ram(_ram(node, "SpecifiedTaxRegistration"), "ID", party.vat_id, schemeID="VA")


def _trade_tax(parent, category: str, rate, *, calculated=None, basis=None, exemption_reason: str = "") -> None:
    tax = _ram(parent, "ApplicableTradeTax")
    if calculated is not None:
        _ram(tax, "CalculatedAmount", amount(calculated))
    _ram(tax, "TypeCode", "VAT")
    if exemption_reason:
        _ram(tax, "ExemptionReason", exemption_reason)
    if basis is not None:
        _ram(tax, "BasisAmount", amount(basis))
    _ram(tax, "CategoryCode", category)
    _ram(tax, "RateApplicablePercent", percent(rate))


def _line(parent, line: semantic.Line) -> None:
    item = _ram(parent, "IncludedSupplyChainTradeLineItem")
    _ram(_ram(item, "AssociatedDocumentLineDocument"), "LineID", line.id)
    product = _ram(item, "SpecifiedTradeProduct")
    if line.seller_id:
        _ram(product, "SellerAssignedID", line.seller_id)
    _ram(product, "Name", line.name)
    if line.description:
        _ram(product, "Description", line.description)
    agreement = _ram(item, "SpecifiedLineTradeAgreement")
    if line.gross_price is not None:
        gross = _ram(agreement, "GrossPriceProductTradePrice")
        _ram(gross, "ChargeAmount", price(line.gross_price))
        discount = _ram(gross, "AppliedTradeAllowanceCharge")
        _el(_ram(discount, "ChargeIndicator"), UDT, "Indicator", "false")
        _ram(discount, "ActualAmount", price(line.price_discount))
    net = _ram(agreement, "NetPriceProductTradePrice")
    _ram(net, "ChargeAmount", price(line.net_price))
    if line.price_base is not None:
        _ram(net, "BasisQuantity", number(line.price_base), unitCode=line.unit_code)
    _ram(_ram(item, "SpecifiedLineTradeDelivery"), "BilledQuantity", number(line.quantity), unitCode=line.unit_code)
    settlement = _ram(item, "SpecifiedLineTradeSettlement")
    _trade_tax(settlement, line.category, line.rate)
    _ram(_ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount", amount(line.amount))


def _agreement(parent, doc: EInvoice) -> None:
    agreement = _ram(parent, "ApplicableHeaderTradeAgreement")
    _party(agreement, "SellerTradeParty", doc.seller)
    _party(agreement, "BuyerTradeParty", doc.buyer)
    if doc.sales_order_reference:
        _ram(_ram(agreement, "SellerOrderReferencedDocument"), "IssuerAssignedID", doc.sales_order_reference)  # BT-14
    if doc.buyer_order_reference:
        _ram(_ram(agreement, "BuyerOrderReferencedDocument"), "IssuerAssignedID", doc.buyer_order_reference)  # BT-13


def _settlement(parent, doc: EInvoice) -> None:
    settlement = _ram(parent, "ApplicableHeaderTradeSettlement")
    if not doc.is_credit_note:
        _ram(settlement, "PaymentReference", doc.number)  # BT-83: what the buyer quotes when paying
    if doc.tax_currency:
        _ram(settlement, "TaxCurrencyCode", doc.tax_currency)
    _ram(settlement, "InvoiceCurrencyCode", doc.currency)
    if doc.payment_means_code:
        means = _ram(settlement, "SpecifiedTradeSettlementPaymentMeans")
        _ram(means, "TypeCode", doc.payment_means_code)
        if doc.iban:
            _ram(_ram(means, "PayeePartyCreditorFinancialAccount"), "IBANID", doc.iban)
    for tax in doc.taxes:
        _trade_tax(settlement, tax.category, tax.rate, calculated=tax.amount, basis=tax.base, exemption_reason=tax.exemption_reason)
    if doc.payment_terms or doc.due_date:
        terms = _ram(settlement, "SpecifiedTradePaymentTerms")
        if doc.payment_terms:
            _ram(terms, "Description", doc.payment_terms)
        if doc.due_date:
            _date(terms, "DueDateDateTime", doc.due_date)
    totals = _ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _ram(totals, "LineTotalAmount", amount(doc.line_total))
    _ram(totals, "TaxBasisTotalAmount", amount(doc.line_total))  # no document-level allowances or charges
    _ram(totals, "TaxTotalAmount", amount(doc.tax_total), currencyID=doc.currency)
    if doc.tax_currency:
        _ram(totals, "TaxTotalAmount", amount(doc.tax_total_in_tax_currency), currencyID=doc.tax_currency)
    _ram(totals, "GrandTotalAmount", amount(doc.grand_total))
    _ram(totals, "TotalPrepaidAmount", amount(doc.prepaid))
    _ram(totals, "DuePayableAmount", amount(doc.due_payable))
    if doc.preceding_number:
        reference = _ram(settlement, "InvoiceReferencedDocument")  # BG-3: the invoice a credit note corrects
        _ram(reference, "IssuerAssignedID", doc.preceding_number)
        _date(reference, "FormattedIssueDateTime", doc.preceding_date, qualified=True)


def document(doc: EInvoice) -> etree._Element:
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, RSM, "ExchangedDocumentContext")
    _ram(_ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", semantic.CUSTOMIZATION_ID)
    header = _el(root, RSM, "ExchangedDocument")
    _ram(header, "ID", doc.number)
    _ram(header, "TypeCode", doc.type_code)
    _date(header, "IssueDateTime", doc.issue_date)
    for note in doc.notes:
        _ram(_ram(header, "IncludedNote"), "Content", note)
    transaction = _el(root, RSM, "SupplyChainTradeTransaction")
    for line in doc.lines:
        _line(transaction, line)
    _agreement(transaction, doc)
    _ram(transaction, "ApplicableHeaderTradeDelivery")
    _settlement(transaction, doc)
    return root


def cii_xml(invoice) -> bytes:
    """The CII XML of a posted invoice or credit note, UTF-8 with an XML declaration."""
    return etree.tostring(document(semantic.build(invoice)), xml_declaration=True, encoding="UTF-8", pretty_print=True)
