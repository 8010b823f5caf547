"""Record-scoped API lists put the scope in the list's own WHERE, so a page is read off an index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.mark.parametrize("who", ["admin", "manager", "sales"])
@pytest.mark.parametrize("path", ["/api/v1/sales-orders/", "/api/v1/invoices/", "/api/v1/deliveries/", "/api/v1/payments/"])
def test_scoped_list_has_no_id_subquery(api_as, who, path):
    with CaptureQueriesContext(connection) as captured:
        response = api_as(who).get(path)
    assert response.status_code == 200
    table = {
        "sales-orders": "sales_salesorder",
        "invoices": "billing_invoice",
        "deliveries": "fulfilment_delivery",
        "payments": "billing_payment",
    }
    name = table[path.split("/")[3]]
    listing = [q["sql"] for q in captured.captured_queries if f'FROM "{name}"' in q["sql"]]
    assert listing
    assert not any(f'"{name}"."id" IN (SELECT' in sql for sql in listing)
