"""Receivables pages (ageing, customer statement, dunning), the billing settings page and the Billing menu."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from salesdesk.accounts.models import Company
from salesdesk.billing import documents, services
from salesdesk.billing.models import BillingSettings, DunningLetter
from salesdesk.core.models import AuditEntry

D = Decimal
pytestmark = pytest.mark.django_db
LONG_AGO = datetime.date(2025, 1, 10)


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch):
    """The PDF renderer has its own tests; these pages only need its bytes."""
    monkeypatch.setattr(documents, "render_pdf", lambda invoice: b"%PDF invoice")
    monkeypatch.setattr(documents, "render_statement_pdf", lambda statement, company: b"%PDF statement " + statement.customer.code.encode())
    monkeypatch.setattr(documents, "render_dunning_pdf", lambda letter: b"%PDF dunning " + letter.number.encode())


@pytest.fixture
def old_invoice(company, member, product):
    """`old_invoice(customer, quantity, issued)`: a manual invoice posted long ago, due on its issue date."""

    def make(customer, quantity="1", issued=LONG_AGO):
        draft = services.invoice_create(
            company=company,
            actor=None,
            membership=member("admin"),
            customer=customer,
            lines=[{"product": product, "quantity": D(quantity), "unit_price": D("100.00")}],
            issue_date=issued,
        )
        return services.invoice_post(invoice=draft, actor=None)

    return make


# --- ageing ------------------------------------------------------------------------------------


def test_the_ageing_page_puts_each_customer_in_buckets_with_totals(web_as, customer_of, buyer, old_invoice):
    old_invoice(buyer, issued=datetime.date(2026, 1, 1))  # 121.00
    other = customer_of("sales3", code="S7", name="South Seven")
    old_invoice(other, quantity="2", issued=datetime.date(2026, 2, 25))  # 242.00
    client = web_as("accountant")
    html = client.get(reverse("billing:ageing"), {"on": "2026-03-02"}).content.decode()
    # buyer: 60 days overdue (31-60); other: 5 days (1-30)
    row = html[html.index(f'id="ageing-{buyer.pk}"') :]
    row = row[: row.index("</tr>")]
    assert [c.split(">")[-1] for c in row.split("</td>")[1:7]] == ["0.00", "0.00", "121.00", "0.00", "0.00", "121.00"]
    totals = html[html.index('id="ageing-totals"') :]
    assert "363.00" in totals[: totals.index("</tr>")]
    assert reverse("billing:statement", args=[buyer.pk]) in html
    csv = client.get(reverse("billing:ageing"), {"on": "2026-03-02", "export": "csv"}).content.decode("utf-8-sig")
    assert "South Seven" in csv and "363.00" in csv
    mine = web_as("sales").get(reverse("billing:ageing"), {"on": "2026-03-02"}).content.decode()
    assert buyer.name in mine and "South Seven" not in mine
    assert web_as("warehouse").get(reverse("billing:ageing")).status_code == 403


def test_a_bad_date_on_the_ageing_page_means_today(web_as, buyer, old_invoice):
    old_invoice(buyer)
    response = web_as("accountant").get(reverse("billing:ageing"), {"on": "yesterday"})
    assert response.status_code == 200 and "121.00" in response.content.decode()


# --- statements --------------------------------------------------------------------------------


def test_the_statement_shows_opening_lines_and_closing_and_a_pdf(web_as, company, users, buyer, old_invoice):
    old_invoice(buyer, issued=datetime.date(2026, 1, 5))
    old_invoice(buyer, issued=datetime.date(2026, 2, 5))
    services.payment_create(company=company, actor=users["accountant"], customer=buyer, amount=D("50.00"), date=datetime.date(2026, 2, 10))
    client = web_as("sales")
    url = reverse("billing:statement", args=[buyer.pk])
    html = client.get(url, {"date_from": "2026-02-01", "date_to": "2026-02-28"}).content.decode()
    assert 'id="opening-balance">121.00<' in html and 'id="closing-balance">192.00<' in html
    assert "PAY-2026-" in html
    pdf = client.get(url, {"date_from": "2026-02-01", "date_to": "2026-02-28", "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content == b"%PDF statement B001"
    assert "statement-B001-2026-02-01-2026-02-28.pdf" in pdf["Content-Disposition"]


def test_another_salespersons_customer_has_no_statement_for_me(web_as, customer_of):
    south = customer_of("sales3", code="S9", name="South Nine")
    assert web_as("sales").get(reverse("billing:statement", args=[south.pk])).status_code == 404
    assert web_as("warehouse").get(reverse("billing:statement", args=[south.pk])).status_code == 403
    assert web_as("accountant").get(reverse("billing:statement", args=[south.pk])).status_code == 200


# --- dunning -----------------------------------------------------------------------------------


def test_running_dunning_writes_and_sends_letters_for_overdue_invoices(web_as, buyer, old_invoice):
    invoice = old_invoice(buyer)
    assert web_as("sales").post(reverse("billing:dunning-run")).status_code == 403
    assert 'id="run-dunning"' not in web_as("sales").get(reverse("billing:dunning-list")).content.decode()
    client = web_as("accountant")
    assert 'id="run-dunning"' in client.get(reverse("billing:dunning-list")).content.decode()
    page = client.post(reverse("billing:dunning-run"), follow=True).content.decode()
    letter = DunningLetter.objects.get()
    assert "1 dunning letters were written." in page and letter.number in page
    assert (letter.level, letter.total_overdue, letter.customer) == (3, D("121.00"), buyer)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["buyer@example.com"]
    again = client.post(reverse("billing:dunning-run"), follow=True).content.decode()
    assert "No invoice has reached a new dunning level today." in again and DunningLetter.objects.count() == 1
    detail = client.get(reverse("billing:dunning-detail", args=[letter.pk])).content.decode()
    assert invoice.number in detail and 'id="total-overdue">EUR 121.00<' in detail
    client.post(reverse("billing:dunning-action", args=[letter.pk, "send"]), {"to": "boss@example.com"})
    letter.refresh_from_db()
    assert letter.sent_to == "boss@example.com" and len(mail.outbox) == 2
    pdf = client.get(reverse("billing:dunning-pdf", args=[letter.pk]))
    assert pdf.content == b"%PDF dunning " + letter.number.encode() and f"{letter.number}.pdf" in pdf["Content-Disposition"]
    assert web_as("warehouse").get(reverse("billing:dunning-detail", args=[letter.pk])).status_code == 403


# --- settings ----------------------------------------------------------------------------------


def settings_data(**overrides) -> dict:
    data = {
        "settings-invoice_policy": "on_delivery",
        "settings-apply_deposits_automatically": "",
        "settings-dunning_level_1_days": "10",
        "settings-dunning_level_2_days": "20",
        "settings-dunning_level_3_days": "45",
        "company-legal_name": "Acme Trading Sociedad Limitada",
        "company-tax_id": "ESB12345678",
        "company-street": "Calle Mayor 1",
        "company-postal_code": "28001",
        "company-city": "Madrid",
        "company-email": "billing@acme.example",
        "company-phone": "+34 600 000 000",
        "company-iban": "es91 2100 0418 4502 0005 1332",
    }
    data.update(overrides)
    return data


def test_the_administrator_saves_billing_settings_and_the_legal_details(web_as, company):
    client = web_as("admin")
    assert client.get(reverse("billing:settings")).status_code == 200
    response = client.post(reverse("billing:settings"), settings_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = BillingSettings.objects.get(company=company)
    assert (saved.invoice_policy, saved.apply_deposits_automatically, saved.dunning_level_3_days) == ("on_delivery", False, 45)
    fresh = Company.objects.get(pk=company.pk)
    assert (fresh.legal_name, fresh.city, fresh.iban) == ("Acme Trading Sociedad Limitada", "Madrid", "ES9121000418450200051332")
    audited = AuditEntry.objects.filter(company=company, field="iban").get()
    assert audited.after == "ES9121000418450200051332" and audited.actor.username == "admin"


def test_dunning_levels_out_of_order_are_refused_and_nothing_is_saved(web_as, company):
    response = web_as("admin").post(reverse("billing:settings"), settings_data(**{"settings-dunning_level_2_days": "5"}))
    assert response.status_code == 400 and "Each dunning level needs more days overdue" in response.content.decode()
    assert not BillingSettings.objects.filter(company=company).exists()
    assert Company.objects.get(pk=company.pk).legal_name == ""


def test_the_accountant_changes_billing_settings_but_not_the_legal_details(web_as, company):
    client = web_as("accountant")
    page = client.get(reverse("billing:settings")).content.decode()
    legal_name = re.search(r'<input[^>]*name="company-legal_name"[^>]*>', page).group(0)
    assert " disabled" in legal_name
    assert " disabled" not in re.search(r'<input[^>]*name="settings-dunning_level_1_days"[^>]*>', page).group(0)
    response = client.post(reverse("billing:settings"), settings_data())
    assert response.status_code == 302
    assert BillingSettings.objects.get(company=company).dunning_level_1_days == 10
    assert Company.objects.get(pk=company.pk).legal_name == ""


def test_sellers_read_the_settings_and_cannot_change_them(web_as, company):
    page = web_as("sales").get(reverse("billing:settings"))
    assert page.status_code == 200 and b'id="save-button"' not in page.content
    assert web_as("sales").post(reverse("billing:settings"), settings_data()).status_code == 403
    assert web_as("warehouse").get(reverse("billing:settings")).status_code == 403
    assert not BillingSettings.objects.filter(company=company).exists()


# --- navigation ----------------------------------------------------------------------------------


def test_the_billing_menu_is_shown_to_those_who_may_view_billing(web_as, company):
    pages = ("billing:invoice-list", "billing:payment-list", "billing:deposit-list", "billing:ageing", "billing:dunning-list")
    accountant = web_as("accountant").get(reverse("home")).content.decode()
    for name in (*pages, "billing:settings", "sales:credit-holds"):
        assert f'href="{reverse(name)}"' in accountant
    sales = web_as("sales").get(reverse("home")).content.decode()
    assert f'href="{reverse("billing:invoice-list")}"' in sales
    assert f'href="{reverse("billing:settings")}"' not in sales and f'href="{reverse("sales:credit-holds")}"' not in sales
    assert f'href="{reverse("sales:credit-holds")}"' in web_as("manager").get(reverse("home")).content.decode()
    warehouse = web_as("warehouse").get(reverse("home")).content.decode()
    assert "/billing/" not in warehouse


def test_the_home_page_counts_overdue_invoices_for_billing_roles(web_as, buyer, old_invoice):
    old_invoice(buyer)
    home = web_as("accountant").get(reverse("home")).content.decode()
    assert "Overdue invoices" in home and f'href="{reverse("billing:invoice-list")}?overdue=1"' in home
    assert "Overdue invoices" not in web_as("warehouse").get(reverse("home")).content.decode()
