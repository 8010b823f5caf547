"""The API's router URLs, grouped by resource (`core.api.routing`), resolve and reverse exactly
as the router made them."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse
from rest_framework.routers import DefaultRouter

from config import api
from salesdesk.core.api.routing import grouped_urls


def test_the_groups_hold_the_routers_patterns_in_their_order():
    router = DefaultRouter()
    router.include_root_view = False
    for prefix, viewset, basename in api.router.registry:
        router.register(prefix, viewset, basename=basename)
    groups = grouped_urls(router)
    assert len(groups) == len(router.registry)
    flattened = [pattern for group in groups for pattern in group.url_patterns]
    assert [(str(p.pattern), p.name) for p in flattened] == [(str(p.pattern), p.name) for p in router.urls]


def test_every_resource_resolves_to_its_own_viewset_and_reverses_to_the_same_path():
    for prefix, viewset, basename in api.router.registry:
        listing = reverse(f"{basename}-list")
        assert listing == f"/api/v1/{prefix}/"
        assert resolve(listing).func.cls is viewset
        if not hasattr(viewset, "retrieve"):
            continue  # a list-only resource (stock levels)
        detail = resolve(f"/api/v1/{prefix}/42/")
        lookup = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        assert (detail.func.cls, detail.kwargs, detail.url_name) == (viewset, {lookup: "42"}, f"{basename}-detail")
    suffixed = resolve("/api/v1/sales-orders.json")
    assert (suffixed.url_name, suffixed.kwargs) == ("sales-order-list", {"format": "json"})


def test_a_path_no_group_answers_is_still_the_apis_json_404(client):
    assert resolve("/api/v1/customers/7/statement/").url_name == "customer-statement"
    for path in ("/api/v1/customers/7/unknown/", "/api/v1/customers-archive/"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_viewset_registered_twice_is_refused():
    router = DefaultRouter()
    viewset = api.router.registry[0][1]
    router.register("people", viewset, basename="people")
    router.register("staff", viewset, basename="staff")
    with pytest.raises(ImproperlyConfigured):
        grouped_urls(router)
