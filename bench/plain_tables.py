"""The tables the plain-SQL reference writes, the columns it gives each, and its two SQL helpers."""

# The columns each INSERT gives, in order; every other column keeps its default.
COLUMNS = {
    "sales_quotation": "company_id, number, customer_id, salesperson_id, currency_id, date, notes, untaxed_amount, tax_amount, total_amount,"
    " created_by_id, created_at, status, valid_until, revision, rejection_reason, sent_to",
    "sales_quotationline": "company_id, sequence, product_id, description, quantity, unit_price, discount_percent, tax_id, amount,"
    " list_price, floor_price, price_source, price_explanation, quotation_id",
    "sales_salesorder": "company_id, number, customer_id, salesperson_id, currency_id, date, notes, untaxed_amount, tax_amount, total_amount,"
    " created_by_id, created_at, status, series, quotation_id, customer_reference, revision, open_amount, invoiced_amount, paid_amount,"
    " delivery_state, invoice_state, payment_state, credit_release_reason",
    "sales_salesorderline": "company_id, sequence, product_id, description, quantity, unit_price, discount_percent, tax_id, amount,"
    " list_price, floor_price, price_source, price_explanation, order_id, delivered_quantity, invoiced_quantity",
    "inventory_reservation": "company_id, product_id, warehouse_id, order_line_id, reference, wanted, reserved, priority",
    "fulfilment_delivery": "company_id, number, status, customer_id, sales_order_id, warehouse_id, date, carrier, tracking_number,"
    " shipping_address, notes, refusal_reason, cost_amount, created_by_id, created_at",
    "fulfilment_deliveryline": "company_id, delivery_id, sequence, order_line_id, product_id, description, quantity, cost",
    "inventory_stockmove": "company_id, product_id, warehouse_id, kind, quantity, unit_cost, value, date, reason, reference, actor_id, created_at",
    "ledger_journalentry": "company_id, number, date, memo, content_type_id, object_id, created_by_id, created_at",
    "ledger_journalline": "company_id, entry_id, account_id, customer_id, debit, credit, memo",
    "billing_invoice": "company_id, kind, status, number, series, customer_id, salesperson_id, sales_order_id, currency_id, rate, issue_date,"
    " payment_term_id, customer_reference, reason, notes, untaxed_amount, tax_amount, total_amount, amount_paid, amount_credited,"
    " amount_written_off, amount_due, dunning_level, disputed, disputed_amount, sent_to, created_by_id, created_at",
    "billing_invoiceline": "company_id, invoice_id, sequence, order_line_id, product_id, description, quantity, unit_price, discount_percent,"
    " tax_id, tax_included, amount, credited_quantity",
    "billing_invoiceinstalment": "company_id, invoice_id, sequence, due_date, amount",
    "billing_payment": "company_id, number, customer_id, status, date, amount, currency_id, rate, method, reference, allocated_amount,"
    " unallocated_amount, reversal_reason, created_by_id, created_at",
    "billing_paymentallocation": "company_id, payment_id, invoice_id, amount, date",
    "core_documentevent": "company_id, content_type_id, object_id, from_status, to_status, actor_id, at, note",
    "core_auditentry": "company_id, actor_id, at, content_type_id, object_id, object_repr, action, field, before, after",
}
OLDEST_DUE = (
    "oldest_overdue_due_date = (SELECT MIN(next_due_date) FROM billing_invoice WHERE company_id = %s AND customer_id = %s"
    " AND kind = 'invoice' AND status = 'posted' AND amount_due > 0)"
)


def plus(column: str, places: int = 2, sign: str = "+") -> str:
    return f"{column} = ROUND({column} {sign} CAST(%s AS NUMERIC), {places})"


def insert(cur, table: str, rows: list[tuple], returning: str = "") -> list[tuple]:
    """One multi-row INSERT of `rows` (in COLUMNS order); the RETURNING rows when asked."""
    marks = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
    sql = f"INSERT INTO {table} ({COLUMNS[table]}) VALUES {', '.join([marks] * len(rows))}"  # noqa: S608 - names from COLUMNS
    cur.execute(sql + (f" RETURNING {returning}" if returning else ""), [value for r in rows for value in r])
    return cur.fetchall() if returning else []
