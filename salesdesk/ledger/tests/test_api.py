import datetime
from decimal import Decimal

import pytest

from salesdesk.ledger import services

D = Decimal
DAY = datetime.date(2026, 3, 15)


@pytest.fixture
def posted(company, customers):
    c = customers[0]
    sale = services.post_entry(
        company=company,
        date=DAY,
        memo="Invoice",
        lines=[
            {"role": "receivable", "debit": D("121.00"), "customer": c},
            {"role": "revenue", "credit": D("100.00")},
            {"role": "tax_payable", "credit": D("21.00")},
        ],
    )
    payment = services.post_entry(
        company=company,
        date=DAY + datetime.timedelta(days=10),
        memo="Payment",
        lines=[{"role": "cash", "debit": D("60.50")}, {"role": "receivable", "credit": D("60.50"), "customer": c}],
    )
    return sale, payment


@pytest.mark.django_db
def test_trial_balance_shape_and_figures(api_as, posted):
    response = api_as("accountant").get("/api/v1/ledger/trial-balance/")
    assert response.status_code == 200
    body = response.json()
    assert body["total_debit"] == body["total_credit"] == "181.50"
    rows = {row["code"]: row for row in body["accounts"]}
    assert set(rows["1100"]) == {"account", "code", "name", "kind", "debit", "credit", "balance"}
    assert rows["1100"] | {"account": None} == {
        "account": None,
        "code": "1100",
        "name": "Receivables",
        "kind": "asset",
        "debit": "121.00",
        "credit": "60.50",
        "balance": "60.50",
    }
    assert rows["4000"]["balance"] == "-100.00"
    assert rows["6800"]["debit"] == "0.00"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sales", "warehouse"])
def test_sellers_and_the_warehouse_do_not_read_the_ledger(api_as, posted, username):
    client = api_as(username)
    for url in ["/api/v1/ledger/trial-balance/", "/api/v1/ledger/accounts/", "/api/v1/ledger/entries/"]:
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_the_trial_balance_of_another_company_is_not_shown(api_as, posted, other_company):
    services.post_entry(
        company=other_company, date=DAY, lines=[{"role": "cash", "debit": D("999")}, {"role": "revenue", "credit": D("999")}]
    )
    assert api_as("admin").get("/api/v1/ledger/trial-balance/").json()["total_debit"] == "181.50"


@pytest.mark.django_db
def test_accounts_and_entries_are_listed_with_lines_and_filtered(api_as, posted, company):
    client = api_as("accountant")
    accounts = client.get("/api/v1/ledger/accounts/").json()["results"]
    assert {a["code"] for a in accounts} >= {"1000", "1100", "4000"}
    cash = next(a for a in accounts if a["role"] == "cash")
    entries = client.get("/api/v1/ledger/entries/").json()["results"]
    assert [e["number"] for e in entries] == ["JE-2026-00002", "JE-2026-00001"]
    assert {(line["account_code"], line["debit"], line["credit"]) for line in entries[1]["lines"]} == {
        ("1100", "121.00", "0.00"),
        ("4000", "0.00", "100.00"),
        ("2100", "0.00", "21.00"),
    }
    by_account = client.get("/api/v1/ledger/entries/", {"account": cash["id"]}).json()["results"]
    assert [e["number"] for e in by_account] == ["JE-2026-00002"]
    by_date = client.get("/api/v1/ledger/entries/", {"date_to": "2026-03-20"}).json()["results"]
    assert [e["number"] for e in by_date] == ["JE-2026-00001"]
    detail = client.get(f"/api/v1/ledger/entries/{entries[0]['id']}/")
    assert detail.status_code == 200 and detail.json()["memo"] == "Payment"


@pytest.mark.django_db
def test_the_ledger_api_is_read_only(api_as, posted):
    client = api_as("admin")
    assert client.post("/api/v1/ledger/entries/", {}, format="json").status_code in (403, 405)  # nobody adds entries by hand
    assert client.post("/api/v1/ledger/accounts/", {}, format="json").status_code == 405
