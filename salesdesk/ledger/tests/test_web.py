import datetime
from decimal import Decimal

import pytest

from salesdesk.ledger import services


@pytest.mark.django_db
def test_trial_balance_page_and_csv(web_as, company, customers):
    services.post_entry(
        company=company,
        date=datetime.date(2026, 3, 15),
        lines=[
            {"role": "receivable", "debit": Decimal("12.34"), "customer": customers[0]},
            {"role": "revenue", "credit": Decimal("12.34")},
        ],
    )
    client = web_as("accountant")
    page = client.get("/ledger/trial-balance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trial balance" in html and "12.34" in html and "Receivables" in html
    csv = client.get("/ledger/trial-balance/?export=csv")
    assert csv.status_code == 200
    assert "12.34" in csv.content.decode("utf-8-sig")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sales", "warehouse"])
def test_trial_balance_page_is_refused_to_sellers_and_the_warehouse(web_as, company, username):
    assert web_as(username).get("/ledger/trial-balance/").status_code == 403


@pytest.mark.django_db
def test_navigation_shows_the_trial_balance_to_accountants_only(web_as, company):
    assert "/ledger/trial-balance/" in web_as("accountant").get("/").content.decode()
    assert "/ledger/trial-balance/" not in web_as("sales").get("/").content.decode()
