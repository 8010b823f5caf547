"""Idempotency-Key: a retried POST replays the first answer and does the work only once."""

import pytest

from salesdesk.accounts import roles
from salesdesk.accounts.services import membership_set
from salesdesk.core.models import IdempotencyRecord
from salesdesk.customers.models import Customer
from salesdesk.inventory.models import Warehouse

WAREHOUSES = "/api/v1/warehouses/"


def post(client, url, body, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, body, format="json", **headers)


def test_a_retry_with_the_same_key_and_body_replays_the_first_response(admin_api, company):
    first = post(admin_api, WAREHOUSES, {"code": "MAIN", "name": "Main"}, key="k-1")
    again = post(admin_api, WAREHOUSES, {"code": "MAIN", "name": "Main"}, key="k-1")

    assert first.status_code == 201
    assert "Idempotent-Replay" not in first
    assert again.status_code == 201
    assert again["Idempotent-Replay"] == "true"
    assert again.json() == first.json()
    assert Warehouse.objects.filter(company=company).count() == 1


def test_the_same_key_with_another_body_is_refused(admin_api, company):
    post(admin_api, WAREHOUSES, {"code": "MAIN", "name": "Main"}, key="k-1")
    other = post(admin_api, WAREHOUSES, {"code": "EAST", "name": "East"}, key="k-1")

    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert list(Warehouse.objects.filter(company=company).values_list("code", flat=True)) == ["MAIN"]


def test_the_same_key_on_another_resource_is_refused(admin_api, company):
    post(admin_api, WAREHOUSES, {"code": "MAIN", "name": "Main"}, key="k-1")
    other = post(admin_api, "/api/v1/taxes/", {"code": "MAIN", "name": "Main"}, key="k-1")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_one_user(api_as, company):
    admin, manager = api_as("admin"), api_as("manager")
    first = post(admin, "/api/v1/customers/", {"code": "C001", "name": "Alpha"}, key="same")
    second = post(manager, "/api/v1/customers/", {"code": "C002", "name": "Beta"}, key="same")

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replay" not in second
    assert Customer.objects.filter(company=company).count() == 2


def test_keys_belong_to_one_company(admin_api, users, company, other_company):
    membership_set(company=other_company, actor=None, user=users["admin"], roles=[roles.ADMINISTRATOR])
    here = post(admin_api, WAREHOUSES, {"code": "MAIN", "name": "Main"}, key="k-1")
    there = post(admin_api, WAREHOUSES, {"code": "MAIN", "name": "Main"}, key="k-1", HTTP_X_COMPANY="OTHER")

    assert (here.status_code, there.status_code) == (201, 201)
    assert "Idempotent-Replay" not in there
    assert Warehouse.objects.get(company=other_company).code == "MAIN"
    assert IdempotencyRecord.objects.filter(key="k-1").count() == 2


@pytest.mark.parametrize(
    ("url", "body", "status", "code"),
    [
        (WAREHOUSES, {"code": "", "name": "No code"}, 400, "invalid"),
        ("/api/v1/customers/{blocked}/block/", {}, 409, "invalid_transition"),
    ],
)
def test_a_refused_request_replays_the_same_error(admin_api, customer_of, company, url, body, status, code):
    blocked = customer_of("sales", "C001")
    admin_api.post(f"/api/v1/customers/{blocked.pk}/block/", {}, format="json")
    url = url.format(blocked=blocked.pk)

    first = post(admin_api, url, body, key="refused")
    again = post(admin_api, url, body, key="refused")

    assert (first.status_code, first.json()["code"]) == (status, code)
    assert (again.status_code, again.json()) == (status, first.json())
    assert again["Idempotent-Replay"] == "true"
    assert not Warehouse.objects.filter(company=company).exists()


def test_a_replayed_action_does_not_run_again(admin_api, customer_of):
    customer = customer_of("sales", "C001")
    url = f"/api/v1/customers/{customer.pk}/activate/"
    first = post(admin_api, url, {"reason": "first order"}, key="act-1")
    again = post(admin_api, url, {"reason": "first order"}, key="act-1")

    assert first.status_code == 200
    assert again.status_code == 200
    assert again.json()["status"] == "active"
    from salesdesk.core.workflow import events_for

    assert events_for(customer).count() == 1


def test_without_a_key_every_post_does_the_work(admin_api, company):
    first = post(admin_api, WAREHOUSES, {"code": "MAIN", "name": "Main"})
    again = post(admin_api, WAREHOUSES, {"code": "MAIN", "name": "Main"})

    assert first.status_code == 201
    assert again.status_code == 400
    assert again.json()["details"].keys() == {"code"}
    assert not IdempotencyRecord.objects.exists()
