"""Lists come in pages with next/previous links and never count the whole table."""

import pytest

from salesdesk.inventory.models import Warehouse


@pytest.fixture
def warehouses(company):
    Warehouse.objects.bulk_create([Warehouse(company=company, code=f"W{i:02d}", name=f"Warehouse {i}") for i in range(30)])


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def test_a_list_has_next_previous_and_results_and_twenty_five_rows_a_page(admin_api, warehouses):
    body = admin_api.get("/api/v1/warehouses/").json()
    assert set(body) >= {"next", "previous", "results"}
    assert len(body["results"]) == 25
    assert body["previous"] is None
    assert body["next"].endswith("/api/v1/warehouses/?page=2")


def test_the_last_page_has_no_next_link_and_links_back(admin_api, warehouses):
    body = admin_api.get("/api/v1/warehouses/?page=2").json()
    assert [r["code"] for r in body["results"]] == [f"W{i:02d}" for i in range(25, 30)]
    assert body["next"] is None
    assert body["previous"].endswith("/api/v1/warehouses/")


def test_page_size_is_respected_and_pages_follow_each_other(admin_api, warehouses):
    first = admin_api.get("/api/v1/warehouses/?page_size=4")
    third = admin_api.get("/api/v1/warehouses/?page_size=4&page=3")
    assert codes(first) == ["W00", "W01", "W02", "W03"]
    assert codes(third) == ["W08", "W09", "W10", "W11"]
    assert "page=4" in third.json()["next"] and "page_size=4" in third.json()["next"]
    assert "page=2" in third.json()["previous"]


def test_a_page_size_above_the_maximum_is_capped(admin_api, company):
    Warehouse.objects.bulk_create([Warehouse(company=company, code=f"W{i:03d}", name="W") for i in range(205)])
    assert len(admin_api.get("/api/v1/warehouses/?page_size=1000").json()["results"]) == 200


def test_a_page_past_the_end_is_empty(admin_api, warehouses):
    body = admin_api.get("/api/v1/warehouses/?page=9").json()
    assert body["results"] == []
    assert body["next"] is None


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=-1", "page_size=0", "page_size=x"])
def test_a_bad_page_or_page_size_is_a_400(admin_api, warehouses, query):
    response = admin_api.get(f"/api/v1/warehouses/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["details"]) <= {"page", "page_size"} and body["details"]


def test_filters_search_and_ordering_are_kept_across_pages(admin_api, warehouses):
    body = admin_api.get("/api/v1/warehouses/?search=Warehouse&ordering=-code&page_size=2").json()
    assert [r["code"] for r in body["results"]] == ["W29", "W28"]
    assert "search=Warehouse" in body["next"] and "ordering=-code" in body["next"]
