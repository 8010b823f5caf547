"""Quotation, order, approval and contract pages in the browser UI (Django test client)."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from salesdesk.catalog.models import Product, Tax
from salesdesk.sales import services
from salesdesk.sales.models import Contract, PriceApproval, Quotation, SalesOrder


@pytest.fixture
def shop(company, users, unit_pc, customer_of):
    tax10 = Tax.objects.create(company=company, name="VAT 10%", rate=D("10"))
    chair = Product.objects.create(company=company, sku="P-10", name="Chair", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax10)
    desk = Product.objects.create(
        company=company, sku="P-20", name="Desk", unit=unit_pc, list_price=D("10.00"), cost=D("6"), tax=tax10, floor_price=D("9.00")
    )
    customer = customer_of("sales", "C001", email="buyer@example.com")
    return {"chair": chair, "desk": desk, "customer": customer, "tax10": tax10, "company": company, "users": users}


def _form(header: dict, lines: list[tuple], initial: int = 0) -> dict:
    data = {
        **{k: v.pk if hasattr(v, "pk") else v for k, v in header.items()},
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, (product, quantity, price, discount) in enumerate(lines):
        data.update(
            {
                f"lines-{i}-product": product.pk if product else "",
                f"lines-{i}-quantity": quantity,
                f"lines-{i}-unit_price": price or "",
                f"lines-{i}-discount_percent": discount or "",
            }
        )
    return data


def _quote(shop, *lines, actor="sales"):
    user = shop["users"][actor]
    return services.quotation_create(
        company=shop["company"],
        actor=user,
        membership=user.memberships.get(company=shop["company"]),
        customer=shop["customer"],
        lines=[{"product": p, "quantity": D(q), "unit_price": D(pr) if pr else None} for p, q, pr in lines],
    )


def test_quotation_create_with_lines_shows_exact_totals(web_as, shop):
    client = web_as("sales")
    data = _form({"customer": shop["customer"]}, [(shop["chair"], "2", "", ""), (shop["desk"], "3", "", "")])
    response = client.post(reverse("sales:quotation-create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    quotation = Quotation.objects.get()
    assert (quotation.untaxed_amount, quotation.tax_amount, quotation.total_amount) == (D("50.00"), D("5.00"), D("55.00"))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="total-untaxed">50.00<' in html and 'id="total-tax">5.00<' in html and "55.00" in html
    assert "Tax 10 % on 50.00" in html
    assert "Why this price" in html and "list price 10.00" in html


def test_zero_quantity_is_refused_on_its_line_and_nothing_is_saved(web_as, shop):
    data = _form({"customer": shop["customer"]}, [(shop["chair"], "2", "", ""), (shop["desk"], "0", "", "")])
    response = web_as("sales").post(reverse("sales:quotation-create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The quantity must be greater than zero." in html
    assert Quotation.objects.count() == 0


def test_a_discount_over_100_is_refused(web_as, shop):
    data = _form({"customer": shop["customer"]}, [(shop["chair"], "1", "", "150")])
    response = web_as("sales").post(reverse("sales:quotation-create"), data)
    assert response.status_code == 400 and Quotation.objects.count() == 0


def test_edit_a_draft_replaces_its_lines(web_as, shop):
    quotation = _quote(shop, (shop["chair"], "1", None))
    client = web_as("sales")
    assert client.get(reverse("sales:quotation-update", args=[quotation.pk])).status_code == 200
    data = _form({"customer": shop["customer"], "valid_until": quotation.valid_until.isoformat()}, [(shop["chair"], "4", "", "")])
    response = client.post(reverse("sales:quotation-update", args=[quotation.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    quotation.refresh_from_db()
    assert quotation.total_amount == D("44.00")


def test_send_accept_convert_then_confirm_needs_and_gets_approval(web_as, shop):
    quotation = _quote(shop, (shop["chair"], "2", None), (shop["desk"], "3", "8.00"))
    sales = web_as("sales")
    detail = reverse("sales:quotation-detail", args=[quotation.pk])
    page = sales.get(detail).content.decode()
    assert 'id="send-button"' in page and 'value="buyer@example.com"' in page

    sales.post(reverse("sales:quotation-action", args=[quotation.pk, "send"]), {"to": "buyer@example.com"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["buyer@example.com"]
    quotation.refresh_from_db()
    assert quotation.status == "sent"

    sales.post(reverse("sales:quotation-action", args=[quotation.pk, "accept"]))
    quotation.refresh_from_db()
    assert quotation.status == "accepted"
    assert 'id="convert-button"' in sales.get(detail).content.decode()

    response = sales.post(reverse("sales:quotation-action", args=[quotation.pk, "convert"]))
    order = SalesOrder.objects.get(quotation=quotation)
    assert response["Location"] == reverse("sales:order-detail", args=[order.pk])
    assert order.total_amount == D("48.40")

    page = sales.post(reverse("sales:order-action", args=[order.pk, "confirm"]), follow=True).content.decode()
    order.refresh_from_db()
    assert order.status == "pending_approval" and order.number == ""
    assert 'id="approval-notice"' in page and "waits for a manager" in page
    assert "Draft → <strong>Pending approval</strong>" in page and "pending_approval" not in page  # history in words
    assert "9.00" in page and "8.00" in page

    approval = PriceApproval.objects.get(order=order)
    approvals_page = sales.get(reverse("sales:approval-list")).content.decode()
    assert f'id="approval-{approval.pk}"' in approvals_page and f'id="approve-{approval.pk}"' not in approvals_page
    assert sales.post(reverse("sales:approval-decide", args=[approval.pk, "approve"])).status_code == 403

    manager = web_as("manager")
    listing = manager.get(reverse("sales:approval-list")).content.decode()
    assert f'id="approve-{approval.pk}"' in listing and f'id="approve-reason-{approval.pk}" placeholder="Reason (optional)"' in listing
    manager.post(reverse("sales:approval-decide", args=[approval.pk, "approve"]), {"reason": "key account"})
    approval.refresh_from_db()
    assert (approval.status, approval.reason) == ("approved", "key account")

    sales = web_as("sales")
    page = sales.post(reverse("sales:order-action", args=[order.pk, "confirm"]), follow=True).content.decode()
    order.refresh_from_db()
    assert order.status == "confirmed" and order.number.startswith("SO-")
    assert f"Order {order.number} is confirmed." in page

    report = web_as("manager").get(reverse("sales:price-overrides")).content.decode()
    assert 'id="total-given-away">3.00<' in report


def test_reject_needs_a_reason(web_as, shop):
    quotation = _quote(shop, (shop["chair"], "1", None))
    client = web_as("sales")
    client.post(reverse("sales:quotation-action", args=[quotation.pk, "send"]), {"to": ""})
    client.post(reverse("sales:quotation-action", args=[quotation.pk, "reject"]), {"reason": ""})
    quotation.refresh_from_db()
    assert quotation.status == "sent"
    client.post(reverse("sales:quotation-action", args=[quotation.pk, "reject"]), {"reason": "too dear"})
    quotation.refresh_from_db()
    assert quotation.status == "rejected" and quotation.rejection_reason == "too dear"


def test_revise_links_the_revisions(web_as, shop):
    quotation = _quote(shop, (shop["chair"], "1", None))
    client = web_as("sales")
    client.post(reverse("sales:quotation-action", args=[quotation.pk, "send"]), {"to": "x@example.com"})
    response = client.post(reverse("sales:quotation-action", args=[quotation.pk, "revise"]))
    new = Quotation.objects.get(previous=quotation)
    assert response["Location"] == reverse("sales:quotation-detail", args=[new.pk])
    assert 'id="previous-revision"' in client.get(response["Location"]).content.decode()
    old_page = client.get(reverse("sales:quotation-detail", args=[quotation.pk])).content.decode()
    assert 'id="next-revision"' in old_page and 'id="accept-button"' not in old_page


def test_salesperson_cannot_see_another_salespersons_quotation(web_as, shop, customer_of):
    theirs = customer_of("sales3", "C009", name="South Co")
    user = shop["users"]["sales3"]
    quotation = services.quotation_create(
        company=shop["company"],
        actor=user,
        membership=user.memberships.get(company=shop["company"]),
        customer=theirs,
        lines=[{"product": shop["chair"], "quantity": D("1")}],
    )
    client = web_as("sales")
    assert client.get(reverse("sales:quotation-detail", args=[quotation.pk])).status_code == 404
    assert client.post(reverse("sales:quotation-action", args=[quotation.pk, "accept"])).status_code == 404
    assert b"South Co" not in client.get(reverse("sales:quotation-list")).content
    assert b"South Co" in web_as("admin").get(reverse("sales:quotation-list")).content


def test_quotation_list_searches_filters_and_exports(web_as, shop):
    _quote(shop, (shop["chair"], "1", None))
    client = web_as("sales")
    assert b"QUO-" in client.get(reverse("sales:quotation-list"), {"q": "C001", "status": "draft"}).content
    assert b"QUO-" not in client.get(reverse("sales:quotation-list"), {"status": "sent"}).content
    export = client.get(reverse("sales:quotation-list"), {"export": "csv"})
    assert export.status_code == 200 and b"11.00" in export.content


def test_warehouse_clerk_cannot_create_a_quotation(web_as, shop):
    response = web_as("warehouse").post(
        reverse("sales:quotation-create"), _form({"customer": shop["customer"]}, [(shop["chair"], "1", "", "")])
    )
    assert response.status_code == 403
    assert Quotation.objects.count() == 0


def test_product_search_returns_only_the_companys_active_products(web_as, shop, other_company):
    Product.objects.create(company=shop["company"], sku="P-11", name="Old chair", unit=shop["chair"].unit, active=False)
    from salesdesk.catalog.models import Unit

    unit = Unit.objects.filter(company=other_company).first()
    Product.objects.create(company=other_company, sku="P-12", name="Foreign chair", unit=unit)
    found = web_as("sales").get(reverse("sales:product-search"), {"q": "chair"}).json()["results"]
    assert [p["sku"] for p in found] == ["P-10"]
    assert web_as("sales").get(reverse("sales:product-search"), {"q": "p-2"}).json()["results"][0]["name"] == "Desk"


def test_live_totals_price_empty_lines_from_the_price_list(web_as, shop):
    data = _form(
        {"customer": shop["customer"]}, [(shop["chair"], "2", "", ""), (shop["desk"], "3", "", ""), (shop["chair"], "3", "9.99", "15")]
    )
    html = web_as("sales").post(reverse("sales:preview", args=["quotation"]), data).content.decode()
    assert 'id="total-untaxed">75.47<' in html
    assert 'id="total-tax">7.55<' in html
    assert "EUR 83.02" in html
    assert 'id="lines-2-amount"' in html and ">25.47<" in html
    assert "list price 10.00" in html


def test_live_totals_flag_a_bad_line_and_total_the_rest(web_as, shop):
    data = _form({"customer": shop["customer"]}, [(shop["chair"], "2", "", ""), (shop["desk"], "0", "", "")])
    html = web_as("sales").post(reverse("sales:preview", args=["quotation"]), data).content.decode()
    assert 'id="total-untaxed">20.00<' in html and "The quantity must be greater than zero." in html


def test_order_create_directly_and_cancel_with_reason(web_as, shop):
    client = web_as("sales")
    data = _form({"customer": shop["customer"], "customer_reference": "PO-77"}, [(shop["chair"], "1", "", "")])
    response = client.post(reverse("sales:order-create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = SalesOrder.objects.get()
    assert order.customer_reference == "PO-77" and order.total_amount == D("11.00")
    client.post(reverse("sales:order-action", args=[order.pk, "cancel"]), {"reason": "customer changed mind"})
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_order_list_filters_by_delivery_state(web_as, shop):
    _quote(shop, (shop["chair"], "1", None))
    client = web_as("sales")
    client.post(reverse("sales:order-create"), _form({"customer": shop["customer"]}, [(shop["chair"], "1", "", "")]))
    order = SalesOrder.objects.get()
    url = reverse("sales:order-detail", args=[order.pk]).encode()
    assert url in client.get(reverse("sales:order-list"), {"delivery": "none"}).content
    assert url not in client.get(reverse("sales:order-list"), {"delivery": "delivered"}).content
    assert url in client.get(reverse("sales:order-list"), {"payment": "none", "invoicing": "none"}).content


def test_contract_create_activate_and_warning_before_expiry(web_as, shop):
    manager = web_as("manager")
    today = timezone.localdate()
    data = {
        "customer": shop["customer"].pk,
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=20)).isoformat(),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": shop["chair"].pk,
        "lines-0-price": "8.50",
        "lines-0-quantity": "100",
    }
    response = manager.post(reverse("sales:contract-create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get()
    manager.post(reverse("sales:contract-action", args=[contract.pk, "activate"]))
    contract.refresh_from_db()
    assert contract.status == "active"
    page = manager.get(reverse("sales:contract-detail", args=[contract.pk])).content.decode()
    assert 'id="expiry-warning"' in page and "8.50" in page
    assert web_as("sales").post(reverse("sales:contract-action", args=[contract.pk, "cancel"])).status_code == 403


def test_navigation_lists_the_sales_pages(web_as, shop):
    html = web_as("manager").get(reverse("home")).content.decode()
    for name in ("sales:quotation-list", "sales:order-list", "sales:approval-list", "sales:price-overrides", "sales:contract-list"):
        assert f'href="{reverse(name)}"' in html


def test_amend_a_confirmed_order_adds_a_line_as_a_revision(web_as, shop):
    client = web_as("sales")
    client.post(reverse("sales:order-create"), _form({"customer": shop["customer"]}, [(shop["chair"], "1", "", "")]))
    order = SalesOrder.objects.get()
    client.post(reverse("sales:order-action", args=[order.pk, "confirm"]))
    order.refresh_from_db()
    assert order.status == "confirmed"
    page = client.get(reverse("sales:order-amend", args=[order.pk])).content.decode()
    assert 'value="10.00"' in page
    line = order.lines.get()
    data = _form({}, [(shop["chair"], "2", "10.00", ""), (shop["desk"], "1", "", "")], initial=1)
    data["lines-0-id"] = line.pk
    response = client.post(reverse("sales:order-amend", args=[order.pk]), {**data, "reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("sales:order-amend", args=[order.pk]), {**data, "reason": "customer wants a desk"})
    assert response.status_code == 302, response.content.decode()[:3000]
    order.refresh_from_db()
    assert order.revision == 1 and order.total_amount == D("33.00")
    assert "customer wants a desk" in client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()


def test_a_refused_amendment_says_why_and_keeps_what_was_typed(web_as, shop):
    client = web_as("sales")
    client.post(reverse("sales:order-create"), _form({"customer": shop["customer"]}, [(shop["desk"], "1", "", "")]))
    order = SalesOrder.objects.get()
    client.post(reverse("sales:order-action", args=[order.pk, "confirm"]))
    data = _form({}, [(shop["desk"], "1", "5.00", "")], initial=1)  # below the desk's floor of 9.00
    data["lines-0-id"] = order.lines.get().pk
    response = client.post(reverse("sales:order-amend", args=[order.pk]), {**data, "reason": "customer asks a discount"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Please correct the errors below." not in page
    assert "approval" in page.lower() and 'value="5.00"' in page
    order.refresh_from_db()
    assert order.revision == 0 and order.lines.get().unit_price == D("10.0000")


def test_the_administrator_sets_the_authority_bands_and_others_only_read_them(web_as, company):
    from salesdesk.sales.selectors import sales_settings

    page = web_as("admin").get(reverse("sales:settings"))
    assert page.status_code == 200 and b'name="manager_band_percent" value="10"' in page.content
    bad = web_as("admin").post(
        reverse("sales:settings"), {"salesperson_band_percent": "5", "manager_band_percent": "150", "quotation_validity_days": "15"}
    )
    assert bad.status_code == 200 and b"is-invalid" in bad.content
    assert sales_settings(company).pk is None  # nothing saved
    ok = web_as("admin").post(
        reverse("sales:settings"), {"salesperson_band_percent": "5", "manager_band_percent": "12", "quotation_validity_days": "15"}
    )
    assert ok.status_code == 302
    assert (sales_settings(company).salesperson_band_percent, sales_settings(company).manager_band_percent) == (5, 12)
    assert web_as("manager").post(reverse("sales:settings"), {"salesperson_band_percent": "50"}).status_code == 403
