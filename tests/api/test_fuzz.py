"""Schema fuzzing: every operation of the OpenAPI schema, driven by schemathesis in-process.

The schema is the one the app serves at `/api/schema/`, so a new endpoint joins the fuzzing
as soon as it is routed. Each operation gets a fresh company with a little master data
(`master_data`), and generated cases hit its existing ids part of the time. Checks: no
server error, a documented status code, a documented content type, and a body that matches
the documented schema (pagination `{next, previous, results}`, the `Error` component).

Bounded and deterministic: `SALESDESK_FUZZ_EXAMPLES` (default 12) examples per operation and
generation mode for the administrator, fewer for the salesperson, with `derandomize=True`.
"""

import functools
import os
import traceback
from collections import Counter
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import record_fuzz_cases

ADMIN_EXAMPLES = int(os.environ.get("SALESDESK_FUZZ_EXAMPLES", "12"))
SALES_EXAMPLES = max(3, ADMIN_EXAMPLES // 3)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SCHEMA_URL = "/api/schema/?format=json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@functools.cache
def api_schema():
    """The OpenAPI schema as the running app serves it, bound to the WSGI app."""
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi(SCHEMA_URL, application)


@functools.cache
def _operations() -> dict[str, object]:
    found = {}
    for result in api_schema().get_all_operations():
        operation = result.ok()  # an operation schemathesis cannot read is a failure, not a skip
        found[operation.label] = operation
    return found


def fuzz_operations() -> list[str]:
    """Every operation the administrator fuzz test runs: all of the schema, by label."""
    return sorted(_operations())


def salesperson_operations() -> list[str]:
    """The salesperson's smaller set: every read, and filing a customer."""
    return [label for label in fuzz_operations() if label.startswith("GET ") or label == "POST /api/v1/customers/"]


def schema_operation_labels() -> set[str]:
    """The operations as written in the raw schema document (independent of schemathesis)."""
    return {
        f"{method.upper()} {path}" for path, item in api_schema().raw_schema["paths"].items() for method in item if method in HTTP_METHODS
    }


@contextmanager
def _inside_the_test_transaction():
    """Django closes "old" connections at the start and end of every request; inside the test's
    transaction that would end it, so (like Django's test client) switch that off for one call.
    (Django's test client reconnects the handlers after each of its own requests.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def in_process_app():
    """Server exceptions raised while serving a case, so that a 500 fails with its traceback."""
    errors: list[str] = []

    def on_exception(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    got_request_exception.connect(on_exception)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(on_exception)


def _existing_values(client, path: str) -> dict[str, list]:
    """Values of the first path parameter that exist: read from the collection's list."""
    if "{" not in path:
        return {}
    head, rest = path.split("{", 1)
    name = rest.split("}", 1)[0]
    response = client.get(head, {"page_size": 5})
    if response.status_code != 200:
        return {}
    rows = response.json().get("results", [])
    return {name: [row[name] for row in rows if isinstance(row, dict) and name in row][:3]}


def _strategy(operation, client, negative: bool):
    existing = _existing_values(client, operation.path)
    modes = [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if negative else [])]
    strategies = []
    for mode in modes:
        strategies.append(operation.as_strategy(generation_mode=mode))
        for name, values in existing.items():
            strategies.extend(operation.as_strategy(generation_mode=mode, path_parameters={name: v}) for v in values)
    return st.one_of(strategies)


def _fuzz(label: str, username: str, users, errors: list[str], max_examples: int, negative: bool, api_as) -> None:
    operation = _operations()[label]
    token, _ = Token.objects.get_or_create(user=users[username])
    headers = {"Authorization": f"Token {token.key}"}
    strategy = _strategy(operation, api_as(username), negative)
    statuses: Counter = Counter()

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        # X-Company is fuzzed now and then; mostly the case acts in the user's own company
        # so that it gets past tenancy (tests/api/test_tenancy_isolation.py covers the header).
        company = case.headers.get("X-Company") if case.headers else None
        if company is not None and len(company) % 4:
            del case.headers["X-Company"]
        errors.clear()
        with _inside_the_test_transaction():
            response = case.call(headers=headers)
        statuses[response.status_code] += 1
        assert not errors, f"{case.method} {case.formatted_path} raised:\n{errors[0]}"
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    finally:
        record_fuzz_cases(username, label, statuses)


@pytest.mark.django_db
@pytest.mark.parametrize("label", fuzz_operations())
def test_every_operation_survives_fuzzing_as_administrator(label, master_data, users, api_as, in_process_app):
    _fuzz(label, "admin", users, in_process_app, ADMIN_EXAMPLES, negative=True, api_as=api_as)


@pytest.mark.django_db
@pytest.mark.parametrize("label", salesperson_operations())
def test_reads_and_customer_filing_survive_fuzzing_as_salesperson(label, master_data, users, api_as, in_process_app):
    _fuzz(label, "sales", users, in_process_app, SALES_EXAMPLES, negative=False, api_as=api_as)


# What fuzzing found, pinned as plain examples (they hold on SQLite and PostgreSQL alike).


@pytest.mark.django_db
def test_a_malformed_id_gets_the_json_not_found_body(admin_api, master_data):
    for url in ("/api/v1/customers/-1.5e-268/", "/api/v1/customers/false/", "/api/v1/currencies/usd.x/"):
        response = admin_api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_nul_character_in_a_key_or_company_code_is_not_a_server_error(admin_api, master_data):
    assert admin_api.get("/api/v1/currencies/U\x00D/").status_code == 404
    assert admin_api.patch("/api/v1/currencies/U\x00D/", {"name": "x"}, format="json").status_code == 404
    assert admin_api.get("/api/v1/customers/", HTTP_X_COMPANY="AC\x00ME").status_code == 403
    refused = admin_api.post("/api/v1/price-lists/", {"name": "NUL", "currency": "E\x00R"}, format="json")
    assert refused.status_code == 400
    assert "currency" in str(refused.json())


@pytest.mark.django_db
def test_dates_before_the_year_1000_keep_four_digits(admin_api, master_data):
    response = admin_api.post("/api/v1/currency-rates/", {"currency": "USD", "date": "0386-09-26", "rate": "1.2"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["date"] == "0386-09-26"


@pytest.mark.django_db
def test_a_body_in_an_unsupported_media_type_gets_a_documented_415(admin_api, master_data):
    response = admin_api.post("/api/v1/regions/", b"name=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert "415" in api_schema().raw_schema["paths"]["/api/v1/regions/"]["post"]["responses"]
