"""Where goods and money meet in the browser: a refusal at the door, a return credited, and disputes
(opened on the invoice page, resolved there, listed, and shown on the customer page)."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from salesdesk.billing import services
from salesdesk.billing.models import Dispute, Invoice, WriteOff
from salesdesk.fulfilment import services as fulfilment
from salesdesk.fulfilment.models import Delivery
from salesdesk.fulfilment.tests import conftest as goods_story
from salesdesk.inventory.models import StockLevel

pytestmark = pytest.mark.django_db

# The goods story's fixtures: a warehouse, a stocked chair, a customer billed on delivery.
warehouse, chair, goods = goods_story.warehouse, goods_story.chair, goods_story.goods


@pytest.fixture
def shipped(goods):
    """3 chairs (100.00 + 21 % VAT each) ordered, shipped and not yet invoiced."""
    goods["receive"]("3", "60")
    order = goods["order"]("3")
    delivery = fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"])
    return fulfilment.delivery_ship(delivery=delivery, actor=goods["admin"])


@pytest.fixture
def invoiced(goods, shipped):
    """The shipped delivery's invoice, posted: 3 x 100.00 + 21 % = 363.00."""
    draft = services.invoice_from_order(order=shipped.sales_order, actor=goods["admin"], membership=goods["membership"], delivery=shipped)
    return services.invoice_post(invoice=draft, actor=goods["admin"])


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def refuse(delivery) -> str:
    return reverse("billing:delivery-refuse", args=[delivery.pk])


# --- refusal at the door ---------------------------------------------------------------------


def test_clerk_records_a_refusal_and_what_was_billed_is_credited(web_as, invoiced, shipped, chair):
    response = web_as("warehouse").post(refuse(shipped), {"reason": "damaged box"}, follow=True)
    shipped.refresh_from_db()
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert response.redirect_chain[-1][0] == reverse("fulfilment:delivery-detail", args=[shipped.pk])
    assert shipped.status == "refused" and shipped.refusal_reason == "damaged box"
    assert note.number and note.total_amount == D("363.00") and note.original_invoice == invoiced
    assert ("success", f"{shipped.number} was refused; the goods are back in stock and credit note {note.number} was posted.") in (
        messages_of(response)
    )
    assert StockLevel.objects.get(product=chair).on_hand == D("3")


def test_refusal_of_goods_never_invoiced_credits_nothing(web_as, shipped):
    response = web_as("warehouse").post(refuse(shipped), {"reason": "wrong address"}, follow=True)
    shipped.refresh_from_db()
    assert shipped.status == "refused" and not Invoice.objects.exists()
    assert any("Nothing was invoiced" in text for _level, text in messages_of(response))


def test_refusal_needs_a_reason_and_saves_nothing(web_as, invoiced, shipped):
    response = web_as("warehouse").post(refuse(shipped), {"reason": "  "}, follow=True)
    shipped.refresh_from_db()
    assert shipped.status == "shipped" and not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert [level for level, _text in messages_of(response)] == ["error"]


def test_a_draft_delivery_cannot_be_refused(web_as, goods):
    goods["receive"]("3", "60")
    order = goods["order"]("3")
    draft = fulfilment.delivery_create(order=order, actor=goods["admin"], membership=goods["membership"])
    response = web_as("warehouse").post(refuse(draft), {"reason": "late"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft" and [level for level, _text in messages_of(response)] == ["error"]


def test_a_salesperson_cannot_record_a_refusal(web_as, shipped):
    assert web_as("sales").post(refuse(shipped), {"reason": "x"}).status_code == 403
    assert Delivery.objects.get(pk=shipped.pk).status == "shipped"


def test_another_companys_clerk_cannot_refuse(web_as, users, other_company, shipped):
    from salesdesk.accounts import roles
    from salesdesk.accounts import services as accounts_services

    users["stranger"] = accounts_services.user_create(
        company=other_company,
        actor=None,
        username="stranger",
        password="stranger-pw-1234",
        full_name="Stranger",
        roles=[roles.WAREHOUSE_CLERK],
    )
    assert web_as("stranger").post(refuse(shipped), {"reason": "x"}).status_code == 404
    assert Delivery.objects.get(pk=shipped.pk).status == "shipped"


# --- a return credited -----------------------------------------------------------------------


@pytest.fixture
def received(goods, invoiced, shipped, chair):
    """One of the three chairs came back and was restocked."""
    ret = fulfilment.return_create(
        company=shipped.company,
        actor=goods["admin"],
        membership=goods["membership"],
        customer=goods["customer"],
        delivery=shipped,
        lines=[{"product": chair, "quantity": D("1"), "reason": "scratched"}],
    )
    fulfilment.return_approve(request=ret, actor=goods["admin"], membership=goods["membership"])
    return fulfilment.return_receive(request=ret, actor=goods["admin"], lines=[{"id": ret.lines.get().pk, "outcome": "restock"}])


def test_accountant_credits_a_received_return_at_the_invoiced_price(web_as, received, invoiced):
    response = web_as("accountant").post(reverse("billing:return-credit", args=[received.pk]), follow=True)
    received.refresh_from_db()
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert received.status == "credited" and note.total_amount == D("121.00") and note.return_request == received
    assert ("success", f"{received.number} is credited: credit note {note.number} was posted.") in messages_of(response)
    page = web_as("accountant").get(reverse("fulfilment:return-detail", args=[received.pk]))
    assert note.number.encode() in page.content and b"121.00" in page.content
    clerk_page = web_as("warehouse").get(reverse("fulfilment:return-detail", args=[received.pk]))
    assert note.number.encode() in clerk_page.content and b"121.00" not in clerk_page.content


def test_the_clerk_cannot_credit_a_return(web_as, received):
    assert web_as("warehouse").post(reverse("billing:return-credit", args=[received.pk])).status_code == 403
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_a_return_not_received_cannot_be_credited(web_as, goods, invoiced, shipped, chair):
    ret = fulfilment.return_create(
        company=shipped.company,
        actor=goods["admin"],
        membership=goods["membership"],
        customer=goods["customer"],
        delivery=shipped,
        lines=[{"product": chair, "quantity": D("1")}],
    )
    response = web_as("accountant").post(reverse("billing:return-credit", args=[ret.pk]), follow=True)
    ret.refresh_from_db()
    assert ret.status == "requested" and not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert [level for level, _text in messages_of(response)] == ["error"]


# --- disputes ----------------------------------------------------------------------------------


def dispute_url(invoice) -> str:
    return reverse("billing:invoice-dispute", args=[invoice.pk])


def test_accountant_disputes_all_that_is_due_by_default(web_as, invoiced):
    response = web_as("accountant").post(dispute_url(invoiced), {"amount": "", "reason": "quality", "note": "chairs wobble"}, follow=True)
    dispute = Dispute.objects.get()
    invoiced.refresh_from_db()
    assert (dispute.amount, dispute.reason, dispute.note, dispute.status) == (D("363.00"), "quality", "chairs wobble", "open")
    assert invoiced.disputed and invoiced.disputed_amount == D("363.00")
    assert response.redirect_chain[-1][0].endswith(reverse("billing:invoice-detail", args=[invoiced.pk]) + "#disputes")
    assert ("success", f"363.00 EUR of {invoiced.number} is disputed and kept out of dunning until resolved.") in messages_of(response)


def test_disputing_more_than_is_due_is_refused_and_saves_nothing(web_as, invoiced):
    response = web_as("accountant").post(dispute_url(invoiced), {"amount": "400.00", "reason": "price"}, follow=True)
    invoiced.refresh_from_db()
    assert not Dispute.objects.exists() and invoiced.disputed_amount == D("0.00") and not invoiced.disputed
    assert messages_of(response) == [("error", "At most 363.00 EUR of this invoice can be disputed: the rest is paid or disputed already.")]


def test_a_dispute_needs_a_known_reason(web_as, invoiced):
    web_as("accountant").post(dispute_url(invoiced), {"amount": "10.00", "reason": "mood"})
    assert not Dispute.objects.exists()


def test_a_salesperson_cannot_open_a_dispute(web_as, invoiced):
    assert web_as("sales").post(dispute_url(invoiced), {"reason": "price"}).status_code == 403
    assert not Dispute.objects.exists()


def test_resolving_by_write_off(web_as, users, invoiced):
    dispute = services.dispute_open(invoice=invoiced, actor=users["accountant"], reason="price", amount=D("100.00"))
    url = reverse("billing:dispute-resolve", args=[dispute.pk])
    response = web_as("accountant").post(url, {"outcome": "write_off", "note": "goodwill"}, follow=True)
    dispute.refresh_from_db()
    invoiced.refresh_from_db()
    assert dispute.status == "resolved" and dispute.outcome == "write_off"
    assert WriteOff.objects.get(invoice=invoiced).amount == D("100.00")
    assert invoiced.amount_due == D("263.00") and not invoiced.disputed
    assert any(level == "success" and "100.00" in text for level, text in messages_of(response))
    again = web_as("accountant").post(url, {"outcome": "collect"}, follow=True)
    assert [level for level, _text in messages_of(again)] == ["error"]
    assert WriteOff.objects.count() == 1


def test_resolving_by_credit_note_names_it(web_as, users, invoiced):
    dispute = services.dispute_open(invoice=invoiced, actor=users["accountant"], reason="quantity", amount=D("121.00"))
    response = web_as("accountant").post(reverse("billing:dispute-resolve", args=[dispute.pk]), {"outcome": "credit_note"}, follow=True)
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert note.total_amount == D("121.00")
    assert any(note.number in text for _level, text in messages_of(response))


def test_resolving_without_an_outcome_changes_nothing(web_as, users, invoiced):
    dispute = services.dispute_open(invoice=invoiced, actor=users["accountant"], reason="price", amount=D("10.00"))
    web_as("accountant").post(reverse("billing:dispute-resolve", args=[dispute.pk]), {"outcome": "forget_it"})
    dispute.refresh_from_db()
    assert dispute.status == "open"


def test_invoice_page_loads_the_disputes_panel(web_as, users, invoiced):
    page = web_as("accountant").get(reverse("billing:invoice-detail", args=[invoiced.pk]))
    assert reverse("billing:invoice-disputes", args=[invoiced.pk]).encode() in page.content
    panel = web_as("accountant").get(reverse("billing:invoice-disputes", args=[invoiced.pk]))
    assert b'id="dispute-button"' in panel.content and b'value="363.00"' in panel.content
    services.dispute_open(invoice=invoiced, actor=users["accountant"], reason="price", amount=D("50.00"))
    panel = web_as("accountant").get(reverse("billing:invoice-disputes", args=[invoiced.pk]))
    assert b'value="313.00"' in panel.content and b"resolve-" in panel.content
    seller = web_as("sales").get(reverse("billing:invoice-disputes", args=[invoiced.pk]))
    assert seller.status_code == 200 and b'id="dispute-button"' not in seller.content and b"resolve-" not in seller.content
    assert b"50.00" in seller.content


def test_customer_page_shows_open_disputes(web_as, users, goods, invoiced):
    services.dispute_open(invoice=invoiced, actor=users["accountant"], reason="not_received", amount=D("42.00"))
    customer = goods["customer"]
    panel = web_as("sales").get(reverse("billing:customer-panel", args=[customer.pk]))
    assert reverse("billing:customer-disputes", args=[customer.pk]).encode() in panel.content
    fragment = web_as("sales").get(reverse("billing:customer-disputes", args=[customer.pk]))
    assert invoiced.number.encode() in fragment.content and b"42.00" in fragment.content
    assert web_as("sales3").get(reverse("billing:customer-disputes", args=[customer.pk])).status_code == 404


def test_dispute_list_is_scoped_and_filtered(web_as, users, invoiced):
    services.dispute_open(invoice=invoiced, actor=users["accountant"], reason="price", amount=D("10.00"))
    assert invoiced.number.encode() in web_as("sales").get(reverse("billing:dispute-list")).content
    assert invoiced.number.encode() not in web_as("sales3").get(reverse("billing:dispute-list")).content
    accountant = web_as("accountant")
    assert invoiced.number.encode() in accountant.get(reverse("billing:dispute-list"), {"status": "open"}).content
    assert invoiced.number.encode() not in accountant.get(reverse("billing:dispute-list"), {"status": "resolved"}).content
    nav = dict(accountant.get(reverse("home")).context["nav_sections"])
    assert "Disputes" in [str(link["label"]) for link in nav["Billing"]]
    assert web_as("warehouse").get(reverse("billing:dispute-list")).status_code == 403


def test_dispute_list_reads_a_fixed_number_of_queries(web_as, users, invoiced, django_assert_max_num_queries):
    client = web_as("accountant")
    services.dispute_open(invoice=invoiced, actor=users["accountant"], reason="price", amount=D("1.00"))
    client.get(reverse("billing:dispute-list"))
    with django_assert_max_num_queries(9):
        assert client.get(reverse("billing:dispute-list")).status_code == 200
    for _ in range(10):
        services.dispute_open(invoice=invoiced, actor=users["accountant"], reason="price", amount=D("1.00"))
    with django_assert_max_num_queries(9):
        assert client.get(reverse("billing:dispute-list")).status_code == 200


# --- invoicing a delivery ----------------------------------------------------------------------


def test_accountant_invoices_a_shipped_delivery_from_its_page(web_as, shipped):
    page = web_as("accountant").get(reverse("fulfilment:delivery-detail", args=[shipped.pk]))
    assert b'id="invoice-button"' in page.content
    response = web_as("accountant").post(reverse("billing:delivery-invoice", args=[shipped.pk]), follow=True)
    invoice = Invoice.objects.get()
    assert response.redirect_chain[-1][0] == reverse("billing:invoice-detail", args=[invoice.pk])
    assert (invoice.status, invoice.delivery, invoice.total_amount) == ("draft", shipped, D("363.00"))


def test_a_delivery_invoiced_already_gets_no_second_invoice(web_as, invoiced, shipped):
    response = web_as("accountant").post(reverse("billing:delivery-invoice", args=[shipped.pk]), follow=True)
    assert Invoice.objects.count() == 1
    assert [level for level, _text in messages_of(response)] == ["error"]


def test_the_clerk_neither_sees_nor_uses_the_invoice_button(web_as, shipped):
    page = web_as("warehouse").get(reverse("fulfilment:delivery-detail", args=[shipped.pk]))
    assert b'id="invoice-button"' not in page.content
    assert web_as("warehouse").post(reverse("billing:delivery-invoice", args=[shipped.pk])).status_code == 403
    assert not Invoice.objects.exists()
