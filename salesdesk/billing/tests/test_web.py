"""Invoice pages in the browser UI (Django test client): list, detail, the manual invoice form,
posting, cancelling, crediting, writing off, sending, PDF and e-invoice downloads."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from salesdesk.billing import documents, services
from salesdesk.billing.models import Invoice, WriteOff
from salesdesk.catalog.models import Currency
from salesdesk.customers.models import Customer

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch):
    """The PDF renderer has its own tests; these pages only need its bytes."""
    monkeypatch.setattr(documents, "render_pdf", lambda invoice: b"%PDF-1.7 invoice " + invoice.number.encode())


@pytest.fixture
def posted_invoice(users, member, confirmed_order):
    """`posted_invoice(customer, quantity, price)`: an order's invoice posted by the accountant."""

    def make(customer, quantity="10", price="10.00"):
        accountant = users["accountant"]
        draft = services.invoice_from_order(
            order=confirmed_order(customer, quantity, price), actor=accountant, membership=member("accountant")
        )
        return services.invoice_post(invoice=draft, actor=accountant)

    return make


@pytest.fixture
def draft_invoice(company, users, member, product):
    def make(customer, quantity="2", price="10.00"):
        return services.invoice_create(
            company=company,
            actor=users["accountant"],
            membership=member("accountant"),
            customer=customer,
            lines=[{"product": product, "quantity": D(quantity), "unit_price": D(price)}],
        )

    return make


def lines_form(header: dict, lines: list[tuple]) -> dict:
    data = {
        **{k: v.pk if hasattr(v, "pk") else v for k, v in header.items()},
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, (product, quantity, price, discount) in enumerate(lines):
        data.update(
            {
                f"lines-{i}-product": product.pk,
                f"lines-{i}-quantity": quantity,
                f"lines-{i}-unit_price": price,
                f"lines-{i}-discount_percent": discount,
            }
        )
    return data


def detail(invoice) -> str:
    return reverse("billing:invoice-detail", args=[invoice.pk])


def action(invoice, name) -> str:
    return reverse("billing:invoice-action", args=[invoice.pk, name])


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "accountant", "manager", "sales"])
def test_invoice_list_and_detail_open_for_billing_roles(web_as, buyer, posted_invoice, username):
    invoice = posted_invoice(buyer)
    client = web_as(username)
    listing = client.get(reverse("billing:invoice-list"))
    assert listing.status_code == 200 and invoice.number in listing.content.decode()
    page = client.get(detail(invoice))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="amount-due">EUR 121.00<' in html and 'id="total-total">EUR 121.00<' in html


def test_the_warehouse_clerk_is_refused_every_invoice_page(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    client = web_as("warehouse")
    for url in (reverse("billing:invoice-list"), detail(invoice), reverse("billing:invoice-pdf", args=[invoice.pk])):
        assert client.get(url).status_code == 403
    assert client.post(action(invoice, "send"), {"to": "x@example.com"}).status_code == 403


def test_a_salesperson_sees_only_their_own_customers_invoices(web_as, customer_of, buyer, posted_invoice):
    mine = posted_invoice(buyer)
    theirs = posted_invoice(customer_of("sales3", code="S900", name="Southern Goods"))
    sales = web_as("sales")
    listing = sales.get(reverse("billing:invoice-list")).content.decode()
    assert mine.number in listing and theirs.number not in listing and "Southern Goods" not in listing
    assert sales.get(detail(theirs)).status_code == 404
    assert sales.get(reverse("billing:invoice-pdf", args=[theirs.pk])).status_code == 404
    manager_list = web_as("manager").get(reverse("billing:invoice-list")).content.decode()
    assert mine.number in manager_list and theirs.number not in manager_list
    assert theirs.number in web_as("accountant").get(reverse("billing:invoice-list")).content.decode()


def test_another_companys_invoice_is_not_found(web_as, company, other_company, buyer, posted_invoice):
    foreign_customer = Customer.objects.create(company=other_company, code="F1", name="Foreign")
    foreign = Invoice.objects.create(
        company=other_company,
        customer=foreign_customer,
        currency=Currency.objects.get(company=other_company, code="USD"),
        issue_date=datetime.date(2026, 1, 5),
    )
    client = web_as("accountant")
    assert client.get(detail(foreign)).status_code == 404
    assert client.post(action(foreign, "post")).status_code == 404
    assert client.get(reverse("billing:invoice-update", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "draft"


# --- the manual invoice form -----------------------------------------------------------------


def test_a_manual_invoice_is_created_through_the_form_with_exact_totals(web_as, buyer, product):
    client = web_as("accountant")
    assert client.get(reverse("billing:invoice-create")).status_code == 200
    data = lines_form(
        {"customer": buyer, "customer_reference": "PO-9", "issue_date": "2026-03-02"},
        [(product, "3", "", ""), (product, "2", "7.50", "10")],
    )
    response = client.post(reverse("billing:invoice-create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    invoice = Invoice.objects.get()
    # 3 x 10.00 (list price) + 2 x 7.50 - 10 % = 30.00 + 13.50; VAT 21 % of 43.50 = 9.14 (rounded half up)
    assert (invoice.untaxed_amount, invoice.tax_amount, invoice.total_amount) == (D("43.50"), D("9.14"), D("52.64"))
    assert invoice.status == "draft" and invoice.customer_reference == "PO-9" and invoice.issue_date == datetime.date(2026, 3, 2)
    html = client.get(response["Location"]).content.decode()
    assert 'id="post-button"' in html and 'id="edit-document"' in html and "52.64" in html


def test_a_line_with_zero_quantity_is_refused_on_its_row_and_nothing_is_saved(web_as, buyer, product):
    data = lines_form({"customer": buyer}, [(product, "1", "", ""), (product, "0", "", "")])
    response = web_as("accountant").post(reverse("billing:invoice-create"), data)
    assert response.status_code == 400
    assert "The quantity must be greater than zero." in response.content.decode()
    assert Invoice.objects.count() == 0


def test_a_salesperson_cannot_make_an_invoice(web_as, buyer, product):
    client = web_as("sales")
    assert client.get(reverse("billing:invoice-create")).status_code == 403
    assert client.post(reverse("billing:invoice-create"), lines_form({"customer": buyer}, [(product, "1", "", "")])).status_code == 403
    assert Invoice.objects.count() == 0


def test_the_live_totals_price_an_empty_line_at_the_list_price(web_as, buyer, product):
    data = lines_form({"customer": buyer}, [(product, "3", "", ""), (product, "1", "5.00", "")])
    html = web_as("accountant").post(reverse("billing:invoice-preview"), data).content.decode()
    assert 'id="total-untaxed">35.00<' in html and 'id="total-tax">7.35<' in html and "EUR 42.35" in html
    assert "The product&#x27;s list price." in html


def test_editing_a_draft_replaces_its_lines_and_a_posted_invoice_cannot_be_edited(web_as, buyer, product, draft_invoice):
    invoice = draft_invoice(buyer)
    client = web_as("accountant")
    assert client.get(reverse("billing:invoice-update", args=[invoice.pk])).status_code == 200
    data = lines_form({"notes": "second try"}, [(product, "4", "2.50", "")])
    response = client.post(reverse("billing:invoice-update", args=[invoice.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    invoice.refresh_from_db()
    assert (invoice.total_amount, invoice.notes, invoice.lines.count()) == (D("12.10"), "second try", 1)
    client.post(action(invoice, "post"))
    assert client.get(reverse("billing:invoice-update", args=[invoice.pk])).status_code == 404


def test_an_orders_draft_invoice_changes_only_its_header(web_as, buyer, users, member, confirmed_order):
    draft = services.invoice_from_order(order=confirmed_order(buyer), actor=users["accountant"], membership=member("accountant"))
    client = web_as("accountant")
    page = client.get(reverse("billing:invoice-update", args=[draft.pk])).content.decode()
    assert 'id="lines-from-source"' in page and "lines-TOTAL_FORMS" not in page
    response = client.post(reverse("billing:invoice-update", args=[draft.pk]), {"customer_reference": "REF-2", "issue_date": "2026-02-01"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.customer_reference == "REF-2" and draft.total_amount == D("121.00")


# --- actions ---------------------------------------------------------------------------------


def test_posting_from_the_page_numbers_the_invoice_and_a_salesperson_may_not(web_as, buyer, draft_invoice):
    invoice = draft_invoice(buyer)
    assert 'id="post-button"' not in web_as("sales").get(detail(invoice)).content.decode()
    assert 'id="amount-due">—<' in web_as("accountant").get(detail(invoice)).content.decode()  # nothing is due before posting
    assert web_as("sales").post(action(invoice, "post")).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "draft" and invoice.number == ""
    page = web_as("accountant").post(action(invoice, "post"), follow=True).content.decode()
    invoice.refresh_from_db()
    assert invoice.status == "posted" and invoice.number.startswith("INV-")
    assert f"{invoice.number} is posted." in page


def test_an_unknown_action_is_not_found(web_as, buyer, draft_invoice):
    invoice = draft_invoice(buyer)
    assert web_as("admin").post(action(invoice, "explode")).status_code == 404


def test_cancelling_a_draft_from_the_page(web_as, buyer, draft_invoice):
    draft = draft_invoice(buyer)
    web_as("accountant").post(action(draft, "cancel"), {"reason": "typed twice"})
    draft.refresh_from_db()
    assert draft.status == "cancelled"


def test_cancelling_a_posted_invoice_is_refused_with_a_message(web_as, buyer, posted_invoice):
    client = web_as("accountant")
    posted = posted_invoice(buyer)
    page = client.post(action(posted, "cancel"), follow=True).content.decode()
    posted.refresh_from_db()
    assert posted.status == "posted"
    assert "alert-danger" in page and "This status change is not allowed." in page


def test_a_credit_note_takes_back_chosen_quantities_exactly(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    line = invoice.lines.get()
    client = web_as("accountant")
    form = client.get(reverse("billing:invoice-credit", args=[invoice.pk]))
    assert form.status_code == 200 and f'name="qty-{line.pk}"' in form.content.decode()
    response = client.post(reverse("billing:invoice-credit", args=[invoice.pk]), {f"qty-{line.pk}": "2", "reason": "two damaged"})
    note = Invoice.objects.get(kind="credit_note")
    assert response["Location"] == detail(note)
    # Everything it credits is taken off the open invoice, so the note is used up at once.
    assert (note.total_amount, note.status, note.reason, note.amount_due) == (D("24.20"), "paid", "two damaged", D("0.00"))
    invoice.refresh_from_db()
    assert (invoice.amount_credited, invoice.amount_due) == (D("24.20"), D("96.80"))
    assert note.number in client.get(detail(invoice)).content.decode()


def test_crediting_more_than_was_invoiced_is_refused_and_saves_nothing(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer, quantity="1")
    line = invoice.lines.get()
    response = web_as("accountant").post(reverse("billing:invoice-credit", args=[invoice.pk]), {f"qty-{line.pk}": "2", "reason": "x"})
    assert response.status_code == 409
    assert "cannot take back more than was invoiced" in response.content.decode()
    assert Invoice.objects.filter(kind="credit_note").count() == 0


def test_a_credit_note_needs_a_reason_and_a_quantity(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    line = invoice.lines.get()
    url = reverse("billing:invoice-credit", args=[invoice.pk])
    assert web_as("accountant").post(url, {f"qty-{line.pk}": "1", "reason": ""}).status_code == 400
    assert web_as("accountant").post(url, {"reason": "why"}).status_code == 400
    assert web_as("sales").post(url, {f"qty-{line.pk}": "1", "reason": "why"}).status_code == 403
    assert Invoice.objects.filter(kind="credit_note").count() == 0


def test_applying_a_credit_note_to_another_open_invoice(web_as, buyer, posted_invoice):
    first = posted_invoice(buyer)
    services.payment_create(
        company=first.company,
        actor=first.posted_by,
        customer=buyer,
        amount=D("121.00"),
        allocations=[{"invoice": first, "amount": D("121.00")}],
    )
    note = services.invoice_credit(invoice=first, actor=first.posted_by, lines=[{"invoice_line": first.lines.get().pk, "quantity": D("1")}])
    second = posted_invoice(buyer, quantity="1")
    client = web_as("accountant")
    page = client.get(detail(note)).content.decode()
    assert 'id="apply-credit-button"' in page and second.number in page
    client.post(action(note, "apply-credit"), {"invoice": second.pk, "amount": "5.00"})
    second.refresh_from_db()
    note.refresh_from_db()
    assert (second.amount_due, note.amount_due) == (D("7.10"), D("7.10"))
    # An empty amount uses as much as both allow.
    client.post(action(note, "apply-credit"), {"invoice": second.pk, "amount": ""})
    second.refresh_from_db()
    assert second.amount_due == D("0.00") and second.status == "paid"


def test_writing_off_needs_a_reason_and_books_the_amount(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    assert web_as("sales").post(action(invoice, "write-off"), {"reason": "x"}).status_code == 403
    client = web_as("accountant")
    page = client.post(action(invoice, "write-off"), {"reason": "", "amount": "10.00"}, follow=True).content.decode()
    assert "alert-danger" in page and WriteOff.objects.count() == 0
    client.post(action(invoice, "write-off"), {"reason": "customer insolvent", "amount": "21.00"})
    invoice.refresh_from_db()
    assert (invoice.amount_written_off, invoice.amount_due) == (D("21.00"), D("100.00"))
    too_much = client.post(action(invoice, "write-off"), {"reason": "again", "amount": "100.01"}, follow=True).content.decode()
    assert "alert-danger" in too_much and WriteOff.objects.count() == 1
    assert "customer insolvent" in client.get(detail(invoice)).content.decode()


def test_sending_an_invoice_emails_its_pdf(web_as, buyer, posted_invoice):
    invoice = posted_invoice(buyer)
    client = web_as("accountant")
    assert 'value="buyer@example.com"' in client.get(detail(invoice)).content.decode()
    page = client.post(action(invoice, "send"), {"to": "ap@example.com"}, follow=True).content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ap@example.com"]
    assert mail.outbox[0].attachments[0][1] == b"%PDF-1.7 invoice " + invoice.number.encode()
    assert f"{invoice.number} was sent to ap@example.com." in page
    bad = client.post(action(invoice, "send"), {"to": "not an address"}, follow=True).content.decode()
    assert "Enter a valid email address." in bad and len(mail.outbox) == 1


def test_the_pdf_and_the_e_invoices_download(web_as, buyer, posted_invoice, draft_invoice):
    invoice = posted_invoice(buyer)
    client = web_as("sales")
    pdf = client.get(reverse("billing:invoice-pdf", args=[invoice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    ubl = client.get(reverse("billing:invoice-einvoice", args=[invoice.pk]), {"format": "ubl"})
    assert ubl.status_code == 200 and "xml" in ubl["Content-Type"] and "attachment" in ubl["Content-Disposition"]
    assert invoice.number.encode() in ubl.content
    cii = client.get(reverse("billing:invoice-einvoice", args=[invoice.pk]), {"format": "cii"})
    assert cii.status_code == 200 and invoice.number.encode() in cii.content
    assert client.get(reverse("billing:invoice-einvoice", args=[invoice.pk]), {"format": "pdf"}).status_code == 404
    draft = draft_invoice(buyer)
    refused = web_as("accountant").get(reverse("billing:invoice-einvoice", args=[draft.pk]), {"format": "ubl"}, follow=True)
    assert "Post the invoice before exporting it" in refused.content.decode()


# --- the list --------------------------------------------------------------------------------


def test_the_invoice_list_filters_searches_and_exports(web_as, company, customer_of, buyer, posted_invoice, draft_invoice):
    paid = posted_invoice(buyer, quantity="1")
    services.payment_create(
        company=company, actor=paid.posted_by, customer=buyer, amount=D("12.10"), allocations=[{"invoice": paid, "amount": D("12.10")}]
    )
    partial = posted_invoice(buyer, quantity="2")
    services.payment_create(
        company=company, actor=paid.posted_by, customer=buyer, amount=D("1.00"), allocations=[{"invoice": partial, "amount": D("1.00")}]
    )
    other = customer_of("sales2", code="C777", name="Seventh Heaven")
    unpaid = posted_invoice(other, quantity="3")
    draft = draft_invoice(buyer)
    client = web_as("accountant")
    url = reverse("billing:invoice-list")

    def numbers(**params):
        html = client.get(url, params).content.decode()
        return {i for i, inv in {"paid": paid, "partial": partial, "unpaid": unpaid, "draft": draft}.items() if detail(inv) in html}

    assert numbers() == {"paid", "partial", "unpaid", "draft"}
    assert numbers(status="posted") == {"partial", "unpaid"}
    assert numbers(payment="paid") == {"paid"}
    assert numbers(payment="partial") == {"partial"}
    assert numbers(payment="unpaid") == {"unpaid", "draft"}
    assert numbers(customer=other.pk) == {"unpaid"}
    assert numbers(q="Seventh") == {"unpaid"}
    assert numbers(kind="credit_note") == set()
    assert numbers(overdue="1") == set()  # nothing is past its due date yet
    csv = client.get(url, {"export": "csv", "customer": other.pk})
    assert csv.status_code == 200 and "36.30" in csv.content.decode("utf-8-sig") and unpaid.number in csv.content.decode("utf-8-sig")
    xlsx = client.get(url, {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_overdue_invoice_is_flagged_and_filtered(web_as, company, buyer, product):
    accountant_invoice = services.invoice_create(
        company=company,
        actor=None,
        membership=buyer.salesperson.memberships.get(company=company),
        customer=buyer,
        lines=[{"product": product, "quantity": D("1")}],
        issue_date=datetime.date(2025, 1, 10),
    )
    overdue = services.invoice_post(invoice=accountant_invoice, actor=None)
    client = web_as("accountant")
    html = client.get(reverse("billing:invoice-list"), {"overdue": "1"}).content.decode()
    assert detail(overdue) in html
    assert detail(overdue) not in client.get(reverse("billing:invoice-list"), {"overdue": "0"}).content.decode()
    assert 'id="overdue-badge"' in client.get(detail(overdue)).content.decode()


def test_a_customer_named_like_a_script_is_shown_as_text(web_as, customer_of, posted_invoice):
    evil = customer_of("sales", code="X1", name="<script>alert(1)</script>", email="x@example.com")
    invoice = posted_invoice(evil)
    client = web_as("accountant")
    for url in (reverse("billing:invoice-list"), detail(invoice), reverse("billing:payment-create")):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- query counts ----------------------------------------------------------------------------


def test_the_invoice_list_reads_a_fixed_number_of_queries(web_as, buyer, draft_invoice, django_assert_max_num_queries):
    client = web_as("accountant")
    for _ in range(3):
        draft_invoice(buyer)
    client.get(reverse("billing:invoice-list"))  # warm the session and the content types
    with django_assert_max_num_queries(10):
        assert client.get(reverse("billing:invoice-list")).status_code == 200
    for _ in range(22):
        draft_invoice(buyer)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("billing:invoice-list")).status_code == 200


def test_the_invoice_page_reads_a_fixed_number_of_queries(web_as, company, buyer, posted_invoice, django_assert_max_num_queries):
    invoice = posted_invoice(buyer)
    client = web_as("accountant")
    client.get(detail(invoice))
    with django_assert_max_num_queries(16):
        assert client.get(detail(invoice)).status_code == 200
    for _ in range(5):
        services.payment_create(
            company=company,
            actor=invoice.posted_by,
            customer=buyer,
            amount=D("1.00"),
            allocations=[{"invoice": invoice, "amount": D("1.00")}],
        )
    with django_assert_max_num_queries(16):
        assert client.get(detail(invoice)).status_code == 200
