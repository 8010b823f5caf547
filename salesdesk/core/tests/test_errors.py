"""One error body for every failure: 400 names the field and saves nothing, 401, 403, 404, 409."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from salesdesk.catalog.models import Currency, PriceList
from salesdesk.core.errors import DomainError, Invalid, all_error_codes
from salesdesk.core.models import AuditEntry
from salesdesk.customers.models import Customer, CustomerGroup, PaymentTerm


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body["details"]


# --- 400: invalid input names the field and leaves nothing behind -------------------------


@pytest.fixture
def foreign_group(other_company):
    return CustomerGroup.objects.create(company=other_company, name="Elsewhere")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"credit_limit": "-1.00"}, "credit_limit"),
        ({"email": "not-an-email"}, "email"),
        ({"group": 999999}, "group"),
        ({"group": "FOREIGN"}, "group"),
        ({"credit_limit": "lots"}, "credit_limit"),
        ({"currency": "XXX"}, "currency"),
        ({"code": ""}, "code"),
    ],
)
def test_an_invalid_customer_is_refused_with_the_field_named_and_nothing_saved(admin_api, company, foreign_group, values, field):
    values = {k: (foreign_group.pk if v == "FOREIGN" else v) for k, v in values.items()}
    audit_before = AuditEntry.objects.count()

    response = admin_api.post("/api/v1/customers/", {"code": "C001", "name": "Alpha", **values}, format="json")

    details = assert_error(response, 400, "invalid")
    assert field in details
    assert all(isinstance(m, str) for m in details[field])
    assert not Customer.objects.filter(company=company).exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_duplicate_customer_code_is_refused_on_the_code_field(admin_api, customer_of):
    customer_of("sales", "C001")
    details = assert_error(admin_api.post("/api/v1/customers/", {"code": "C001", "name": "Again"}, format="json"), 400, "invalid")
    assert list(details) == ["code"]


@pytest.mark.parametrize(
    "lines",
    [
        [{"percent": "50", "days": 30}, {"percent": "40", "days": 60}],
        [{"percent": "60", "days": 30}, {"percent": "60", "days": 60}],
        [],
    ],
)
def test_payment_term_lines_must_add_up_to_one_hundred(api_as, company, lines):
    response = api_as("accountant").post("/api/v1/payment-terms/", {"name": "Split", "lines": lines}, format="json")
    assert "lines" in assert_error(response, 400, "invalid")
    assert not PaymentTerm.objects.filter(company=company).exists()


@pytest.mark.parametrize(
    "item",
    [
        {"price": "9.00", "discount_percent": "10"},
        {},
    ],
)
def test_a_price_list_entry_needs_exactly_one_of_price_and_discount(admin_api, company, product, item):
    body = {"name": "Retail", "currency": "EUR", "items": [{"product": product.pk, **item}]}
    details = assert_error(admin_api.post("/api/v1/price-lists/", body, format="json"), 400, "invalid")
    assert "items" in details
    assert "price" in details["items"]["0"]
    assert not PriceList.objects.filter(company=company).exists()


def test_a_price_list_entry_needs_exactly_one_of_product_and_category(admin_api, company):
    body = {"name": "Retail", "currency": "EUR", "items": [{"price": "9.00"}]}
    details = assert_error(admin_api.post("/api/v1/price-lists/", body, format="json"), 400, "invalid")
    assert "product" in details["items"]["0"]
    assert not PriceList.objects.filter(company=company).exists()


def test_a_price_list_cannot_end_before_it_starts(admin_api, company):
    body = {"name": "Summer", "currency": "EUR", "valid_from": "2026-06-30", "valid_to": "2026-06-01"}
    assert "valid_to" in assert_error(admin_api.post("/api/v1/price-lists/", body, format="json"), 400, "invalid")
    assert not PriceList.objects.filter(company=company).exists()


def test_a_body_that_is_not_json_is_a_400_not_a_500(admin_api):
    response = admin_api.post("/api/v1/customers/", "{not json", content_type="application/json")
    assert_error(response, 400, "invalid")


def test_text_in_a_date_is_a_400(admin_api):
    body = {"name": "Summer", "currency": "EUR", "valid_from": "soon"}
    assert "valid_from" in assert_error(admin_api.post("/api/v1/price-lists/", body, format="json"), 400, "invalid")


# --- 401, 403, 404 ------------------------------------------------------------------------


def test_a_request_without_a_token_is_not_authenticated(db):
    assert_error(APIClient().get("/api/v1/customers/"), 401, "not_authenticated")


def test_a_bad_token_is_not_authenticated(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error(client.get("/api/v1/customers/"), 401, "not_authenticated")


def test_a_salesperson_may_not_create_a_product(api_as, company, unit_pc):
    response = api_as("sales").post("/api/v1/products/", {"sku": "P-1", "name": "Thing", "unit": "pc"}, format="json")
    assert_error(response, 403, "permission_denied")
    assert not company_products(company)


def company_products(company):
    from salesdesk.catalog.models import Product

    return list(Product.objects.filter(company=company))


def test_a_warehouse_clerk_may_not_edit_a_customer(api_as, customer_of):
    customer = customer_of("sales", "C001", name="Alpha")
    response = api_as("warehouse").patch(f"/api/v1/customers/{customer.pk}/", {"name": "Changed"}, format="json")
    assert_error(response, 403, "permission_denied")
    assert Customer.objects.get(pk=customer.pk).name == "Alpha"


def test_a_warehouse_clerk_may_still_read_customers(api_as, customer_of):
    customer_of("sales", "C001")
    assert api_as("warehouse").get("/api/v1/customers/").status_code == 200


def test_another_companys_record_is_not_found(admin_api, other_company):
    group = CustomerGroup.objects.create(company=other_company, name="Elsewhere")
    currency = Currency.objects.get(company=other_company, code="USD")
    assert_error(admin_api.get(f"/api/v1/customer-groups/{group.pk}/"), 404, "not_found")
    assert_error(admin_api.patch(f"/api/v1/customer-groups/{group.pk}/", {"name": "Mine"}, format="json"), 404, "not_found")
    assert_error(admin_api.delete(f"/api/v1/customer-groups/{group.pk}/"), 404, "not_found")
    assert_error(admin_api.get(f"/api/v1/currencies/{currency.code}/"), 404, "not_found")
    assert CustomerGroup.objects.get(pk=group.pk).name == "Elsewhere"


def test_another_salespersons_customer_is_not_found(api_as, customer_of):
    theirs = customer_of("sales2", "C002")
    client = api_as("sales")
    assert_error(client.get(f"/api/v1/customers/{theirs.pk}/"), 404, "not_found")
    assert_error(client.patch(f"/api/v1/customers/{theirs.pk}/", {"name": "Mine"}, format="json"), 404, "not_found")
    assert_error(client.get(f"/api/v1/customers/{theirs.pk}/credit/"), 404, "not_found")


def test_an_unknown_id_is_not_found(admin_api, company):
    assert_error(admin_api.get("/api/v1/customers/999999/"), 404, "not_found")


# --- 409 and the code catalogue -----------------------------------------------------------


def test_deleting_a_tax_in_use_is_a_409_protected_and_deletes_nothing(admin_api, product, vat21):
    details = assert_error(admin_api.delete(f"/api/v1/taxes/{vat21.pk}/"), 409, "protected")
    assert details == {"used_by": ["product"]}
    assert type(vat21).objects.filter(pk=vat21.pk).exists()


def test_a_domain_error_carries_its_code_message_and_details():
    error = Invalid({"credit_limit": ["Must be positive."]})
    assert error.status == 400
    assert error.as_dict() == {"code": "invalid", "message": "Invalid input.", "details": {"credit_limit": ["Must be positive."]}}
    assert DomainError("Nope", amount=Decimal("1")).as_dict()["details"] == {"amount": Decimal("1")}


def test_every_error_code_is_catalogued():
    codes = all_error_codes()
    for code in ("invalid", "invalid_transition", "protected", "idempotency_key_reused", "invalid_credentials"):
        assert code in codes


# --- auth and health ----------------------------------------------------------------------


def test_a_wrong_password_gets_invalid_credentials(users):
    response = APIClient().post("/api/v1/auth/token/", {"username": "sales", "password": "wrong"}, format="json")
    assert_error(response, 400, "invalid_credentials")


def test_a_missing_password_is_invalid(users):
    response = APIClient().post("/api/v1/auth/token/", {"username": "sales"}, format="json")
    assert "password" in assert_error(response, 400, "invalid")


def test_the_token_endpoint_returns_a_token_that_works(users, customer_of):
    customer_of("sales", "C001")
    response = APIClient().post("/api/v1/auth/token/", {"username": "sales", "password": "sales-pw-1234"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = client.get("/api/v1/customers/")
    assert listed.status_code == 200
    assert [c["code"] for c in listed.json()["results"]] == ["C001"]


def test_asking_twice_gives_the_same_token(users):
    body = {"username": "sales", "password": "sales-pw-1234"}
    first = APIClient().post("/api/v1/auth/token/", body, format="json").json()["token"]
    assert APIClient().post("/api/v1/auth/token/", body, format="json").json()["token"] == first


def test_healthz_answers_ok(db):
    response = APIClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_an_unknown_api_url_answers_the_json_error_body(admin_api):
    response = admin_api.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "details": {}}


def test_the_browser_tab_icon_is_served_and_asking_for_it_sets_no_cookie(db, client):
    # /favicon.ico used to render the 404 page, whose forms minted a new CSRF cookie for a
    # cookieless browser and could overwrite the one a login form had just been given.
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("salesdesk/favicon.svg")
    assert "csrftoken" not in response.cookies
    assert b'rel="icon"' in client.get("/login/").content
