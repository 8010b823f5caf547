"""Status changes go through one function: legal moves are saved and logged, illegal ones change nothing."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from salesdesk.core import workflow
from salesdesk.core.audit import history
from salesdesk.core.errors import InvalidTransition
from salesdesk.core.models import AuditEntry, DocumentEvent
from salesdesk.customers.models import Customer


@pytest.fixture
def prospect(customer_of):
    return customer_of("sales", "C001")


def _status_rows(customer):
    return list(history(customer).filter(action=AuditEntry.Action.STATUS))


def test_an_allowed_move_saves_the_status_and_writes_an_event_and_an_audit_row(prospect, users):
    workflow.transition(prospect, to=Customer.Status.ACTIVE, actor=users["manager"], note="first order")

    assert Customer.objects.get(pk=prospect.pk).status == "active"
    [event] = workflow.events_for(prospect)
    assert (event.from_status, event.to_status, event.actor, event.note) == ("prospect", "active", users["manager"], "first order")
    assert event.company_id == prospect.company_id
    [audit_row] = _status_rows(prospect)
    assert (audit_row.field, audit_row.before, audit_row.after, audit_row.actor) == ("status", "prospect", "active", users["manager"])


def test_a_customer_can_be_blocked_and_unblocked(prospect, users):
    for target in ("active", "blocked", "active"):
        workflow.transition(prospect, to=target, actor=users["admin"])
    moves = [(e.from_status, e.to_status) for e in workflow.events_for(prospect)]
    assert moves == [("prospect", "active"), ("active", "blocked"), ("blocked", "active")]
    assert Customer.objects.get(pk=prospect.pk).status == "active"
    assert len(_status_rows(prospect)) == 3


def test_an_illegal_move_is_refused_and_changes_nothing(prospect, users):
    workflow.transition(prospect, to="active", actor=users["admin"])
    events_before = DocumentEvent.objects.count()
    audit_before = AuditEntry.objects.count()

    with pytest.raises(InvalidTransition) as refused:
        workflow.transition(prospect, to="prospect", actor=users["admin"])

    assert refused.value.code == "invalid_transition"
    assert refused.value.details == {"from_status": "active", "to_status": "prospect", "allowed": ["blocked"]}
    assert Customer.objects.get(pk=prospect.pk).status == "active"
    assert prospect.status == "active"
    assert DocumentEvent.objects.count() == events_before
    assert AuditEntry.objects.count() == audit_before


def test_moving_to_the_current_status_is_refused(prospect, users):
    with pytest.raises(InvalidTransition):
        workflow.transition(prospect, to="prospect", actor=users["admin"])
    assert not workflow.events_for(prospect).exists()


def test_allowed_targets_come_from_the_transitions_table(prospect):
    assert workflow.allowed_targets(prospect) == {"active", "blocked"}
    assert workflow.can_transition(prospect, "blocked")
    assert not workflow.can_transition(prospect, "prospect")


def test_a_move_without_an_actor_is_logged_without_one(prospect):
    workflow.transition(prospect, to="blocked", actor=None, note="system")
    [event] = workflow.events_for(prospect)
    assert event.actor is None
    assert event.note == "system"


def test_inside_a_step_a_move_writes_three_rows_and_no_savepoint(prospect, users):
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        workflow.transition(prospect, to="active", actor=users["admin"])
    statements = [q["sql"] for q in captured.captured_queries]
    if connection.vendor == "postgresql":  # the three writes in one statement
        assert len(statements) == 1 and statements[0].startswith("WITH moved AS (UPDATE")
        assert statements[0].count("INSERT INTO") == 2
    else:
        assert [sql.split()[0] for sql in statements] == ["UPDATE", "INSERT", "INSERT"]
    assert Customer.objects.get(pk=prospect.pk).status == "active"
    assert workflow.events_for(prospect).count() == 1
    assert AuditEntry.objects.filter(object_id=prospect.pk, field="status", after="active").count() == 1


def test_a_write_that_fails_inside_a_step_fails_the_whole_step(prospect, users, monkeypatch):
    real_values = workflow.rows.values_of

    def audit_fails(obj, *args, **kwargs):  # the audit row's write fails, after the status's (SQLite) or with it (PostgreSQL)
        if isinstance(obj, AuditEntry):
            raise DatabaseError("disk full")
        return real_values(obj, *args, **kwargs)

    monkeypatch.setattr(workflow.rows, "values_of", audit_fails)
    with transaction.atomic():
        with pytest.raises(DatabaseError):
            workflow.transition(prospect, to="active", actor=users["admin"])
        with pytest.raises(TransactionManagementError):  # the step cannot go on half written
            Customer.objects.filter(pk=prospect.pk).exists()
    assert Customer.objects.get(pk=prospect.pk).status == "prospect"
    assert not workflow.events_for(prospect).exists()
