"""Status changes of documents, through one function.

A document model declares `Status` (TextChoices), `TRANSITIONS` (status -> set of statuses
it may move to) and a `status` field. `transition` refuses any other move with
`InvalidTransition`, saves the new status and writes a document event and an audit row.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from salesdesk.core import instances, rows
from salesdesk.core.errors import InvalidTransition
from salesdesk.core.models import AuditEntry, DocumentEvent


def allowed_targets(document: models.Model) -> set[str]:
    return {str(s) for s in type(document).TRANSITIONS.get(document.status, set())}


def can_transition(document: models.Model, to: str) -> bool:
    return str(to) in allowed_targets(document)


def transition(document: models.Model, *, to: str, actor, note: str = "", extra_fields: tuple[str, ...] = ()) -> models.Model:
    """Move `document` to status `to`, or raise `InvalidTransition` and change nothing."""
    current = str(document.status)
    if not can_transition(document, to):
        raise InvalidTransition(
            from_status=current,
            to_status=str(to),
            allowed=sorted(allowed_targets(document)),
        )
    # The refusal above comes before any write, so the three rows need no savepoint of their
    # own: they are part of the caller's transaction (or one of their own when called alone),
    # and a failed write fails that whole transaction.
    with transaction.atomic(savepoint=False):
        document.status = to
        content_type = ContentType.objects.get_for_model(document)
        # The two rows are only written, never read here: they take the keys, not the parents.
        actor_id = actor.pk if getattr(actor, "pk", None) else None
        event = instances.new(
            DocumentEvent,
            company_id=document.company_id,
            content_type_id=content_type.pk,
            object_id=document.pk,
            from_status=current,
            to_status=str(to),
            actor_id=actor_id,
            note=note,
        )
        audit = instances.new(
            AuditEntry,
            company_id=document.company_id,
            actor_id=actor_id,
            content_type_id=content_type.pk,
            object_id=document.pk,
            object_repr=str(document)[:200],
            action=AuditEntry.Action.STATUS,
            field="status",
            before=current,
            after=str(to),
        )
        # Every step of every document comes through here: the three rows are written with
        # statements composed once (core.rows), and on PostgreSQL as one statement.
        rows.save_fields_with(document, ["status", *extra_fields], [event, audit])
    return document


def event_row(document: models.Model, *, actor, note: str) -> DocumentEvent:
    """The (unsaved) event of something that happened to a document without a status change;
    `record_event` writes it, or a caller writes it with the document's own change
    (`rows.save_fields_with`)."""
    return instances.new(
        DocumentEvent,
        company_id=document.company_id,
        content_type=ContentType.objects.get_for_model(document),
        object_id=document.pk,
        from_status=str(document.status),
        to_status=str(document.status),
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )


def record_event(document: models.Model, *, actor, note: str) -> DocumentEvent:
    """A document event that is not a status change (a revision made, a document sent again)."""
    return rows.insert(event_row(document, actor=actor, note=note))


def events_for(document: models.Model):
    return DocumentEvent.objects.filter(
        company_id=document.company_id,
        content_type=ContentType.objects.get_for_model(document),
        object_id=document.pk,
    ).select_related("actor")
