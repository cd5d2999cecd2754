"""Writing the audit trail. Every state change in the desk goes through here."""

from django.contrib.contenttypes.models import ContentType

from tickets.models import AuditEntry


def actor_fields(actor) -> dict:
    """Split an actor into the user (if a person) and a readable label.

    ``actor`` is a User, a string naming a system actor such as ``"system:sweep"``
    or ``"api:erp-main"``, or a non-database actor with an ``audit_label`` (the
    user-like object of an API key, audited as ``"api:<name>"``).
    """
    if actor is None:
        return {"actor": None, "actor_label": "system"}
    if isinstance(actor, str):
        return {"actor": None, "actor_label": actor}
    label = getattr(actor, "audit_label", None)
    if label:
        return {"actor": None, "actor_label": label}
    return {"actor": actor, "actor_label": actor.get_username()}


def audit_record(*, subject, actor, action: str, field: str = "", from_value="", to_value="",
                 reason: str = "") -> AuditEntry:
    """Append one audit entry about ``subject`` (any model instance with a store)."""
    store_id = subject.pk if subject._meta.model_name == "store" else getattr(subject, "store_id", None)
    if store_id is None and hasattr(subject, "dispute"):
        store_id = subject.dispute.store_id
    return AuditEntry.objects.create(
        store_id=store_id,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        action=action,
        field=field,
        from_value="" if from_value is None else str(from_value),
        to_value="" if to_value is None else str(to_value),
        reason=reason or "",
        **actor_fields(actor),
    )


def audit_dicts(model, rows, *, actor, action: str, field: str, reason: str) -> list[dict]:
    """Audit rows, as column values, for ``(object_id, store_id, from, to)`` tuples
    of one model: for ``bulk_sql.insert_rows``."""
    content_type_id = ContentType.objects.get_for_model(model).pk
    who = actor_fields(actor)
    actor_id = who["actor"].pk if who["actor"] is not None else None
    return [
        {"store_id": store_id, "actor_id": actor_id, "actor_label": who["actor_label"],
         "content_type_id": content_type_id, "object_id": pk, "action": action, "field": field,
         "from_value": str(old), "to_value": str(new), "reason": reason}
        for pk, store_id, old, new in rows
    ]


def audit_rows(model, rows, *, actor, action: str, field: str, reason: str) -> list[AuditEntry]:
    """Unsaved audit entries for ``(object_id, store_id, from, to)`` tuples of one
    model, for a caller that writes many in one ``bulk_create``."""
    return [AuditEntry(**values)
            for values in audit_dicts(model, rows, actor=actor, action=action, field=field, reason=reason)]


def audit_insert_select(counter, *, model, actor_label: str, select_sql: str, params: list, now) -> None:
    """Write audit entries straight from a query, one INSERT whatever the count.

    ``select_sql`` yields ``store_id, object_id, action, field, from_value, to_value,
    reason`` per changed object; it must run before the change it records, since it
    reads the old values.
    """
    from .bulk_sql import ts

    counter.execute(f"""
        INSERT INTO tickets_auditentry (store_id, actor_id, actor_label, content_type_id, object_id, action, field,
                                        from_value, to_value, reason, created_at)
        SELECT s.store_id, NULL, %s, %s, s.object_id, s.action, s.field, s.from_value, s.to_value, s.reason, %s
        FROM ({select_sql}) s
    """, [actor_label, ContentType.objects.get_for_model(model).pk, ts(now), *params])
