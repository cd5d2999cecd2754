"""Clock policies: the marketplaces' defaults, revisions as new versions (through
the service and through the admin), and retired versions kept read-only."""

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from tickets.choices import ClockKind, Marketplace
from tickets.models import AuditEntry, ClockPolicy
from tickets.services.clocks import clock_explanation_lines, clock_start_for, policy_current
from tickets.services.policies import NOT_CURRENT, NOTHING_CHANGED, REPLACED_MEANWHILE, policy_revise

from .factories import T0, DisputeFactory, StoreFactory
from .test_admin import admin_url, change_form_data, form_errors

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def aliexpress(kind: str) -> ClockPolicy:
    return policy_current(marketplace=Marketplace.ALIEXPRESS, kind=kind)


def policy_audit(policy: ClockPolicy):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(ClockPolicy),
                                     object_id=policy.pk).order_by("field")


# Defaults ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "length", "warn"), [
    (ClockKind.DISPUTE_RESPONSE, 24 * H, 4 * H),
    (ClockKind.REFUND_DECISION, 5 * D, 1 * D),
    (ClockKind.RETURN_SHIPMENT, 10 * D, 2 * D),
    (ClockKind.RECEIPT_CONFIRMATION, 30 * D, 5 * D),
    (ClockKind.FIRST_RESPONSE, 3 * H, 1 * H),
    (ClockKind.SENSITIVE_ESCALATION, 2 * H, 30 * dt.timedelta(minutes=1)),
])
def test_the_aliexpress_defaults_follow_the_brief(kind, length, warn):
    policy = aliexpress(kind)
    assert (policy.version, policy.is_current, policy.raises_alerts) == (1, True, True)
    assert (policy.length, policy.warn_before) == (length, warn)
    # Supervisors are added at half the warning time unless the policy says otherwise.
    assert policy.escalate_before is None
    assert policy.effective_escalate_before == warn / 2


def test_the_aliexpress_first_response_counts_working_hours_3_6_24():
    policy = aliexpress(ClockKind.FIRST_RESPONSE)
    assert policy.uses_working_hours is True
    assert (policy.length, policy.outside_length, policy.cap) == (3 * H, 6 * H, 24 * H)
    assert policy.effective_escalate_before == 30 * dt.timedelta(minutes=1)
    others = ClockPolicy.objects.filter(marketplace=Marketplace.ALIEXPRESS).exclude(kind=ClockKind.FIRST_RESPONSE)
    assert not others.filter(uses_working_hours=True).exists()


def test_the_buyers_windows_raise_no_alerts():
    assert (aliexpress(ClockKind.REFUND_WINDOW).length, aliexpress(ClockKind.CHARGEBACK_WINDOW).length) == (15 * D,
                                                                                                        180 * D)
    for kind in (ClockKind.REFUND_WINDOW, ClockKind.CHARGEBACK_WINDOW):
        assert (aliexpress(kind).raises_alerts, aliexpress(kind).warn_before) == (False, None)


def test_every_marketplace_has_one_current_policy_per_clock():
    for marketplace in Marketplace.values:
        current = ClockPolicy.objects.filter(marketplace=marketplace, is_current=True)
        assert sorted(current.values_list("kind", flat=True)) == sorted(ClockKind.values), marketplace


# Revising ---------------------------------------------------------------------------------------
def test_a_revision_is_a_new_version(supervisor):
    old = aliexpress(ClockKind.DISPUTE_RESPONSE)

    new = policy_revise(policy=old, actor=supervisor, reason="AliExpress shortened it", length=12 * H,
                        warn_before=2 * H)

    assert (new.pk != old.pk, new.version, new.is_current) == (True, 2, True)
    assert (new.length, new.warn_before, new.created_by) == (12 * H, 2 * H, supervisor)
    # Everything not revised is carried over.
    assert (new.marketplace, new.kind, new.raises_alerts, new.escalate_before) == (
        old.marketplace, old.kind, old.raises_alerts, old.escalate_before)
    old.refresh_from_db()
    assert (old.is_current, old.length, old.warn_before) == (False, 24 * H, 4 * H)  # never edited in place
    assert aliexpress(ClockKind.DISPUTE_RESPONSE) == new
    entries = [(e.field, e.from_value, e.to_value, e.actor, e.action, e.reason) for e in policy_audit(new)]
    assert entries == [
        ("length", "1 day, 0:00:00", "12:00:00", supervisor, "policy_revise", "AliExpress shortened it"),
        ("warn_before", "4:00:00", "2:00:00", supervisor, "policy_revise", "AliExpress shortened it"),
    ]


def test_revisions_count_up_and_only_touch_one_marketplace(supervisor):
    v2 = policy_revise(policy=aliexpress(ClockKind.REFUND_DECISION), actor=supervisor, length=4 * D)
    v3 = policy_revise(policy=v2, actor="api:erp-main", note="synced from the ERP")
    assert (v3.version, v3.length, v3.note, v3.created_by) == (3, 4 * D, "synced from the ERP", None)
    assert policy_audit(v3).get().actor_label == "api:erp-main"
    versions = ClockPolicy.objects.filter(marketplace=Marketplace.ALIEXPRESS, kind=ClockKind.REFUND_DECISION)
    assert list(versions.values_list("version", "is_current")) == [(3, True), (2, False), (1, False)]
    assert policy_current(marketplace=Marketplace.EBAY, kind=ClockKind.REFUND_DECISION).version == 1


def test_a_retired_version_cannot_be_revised(supervisor):
    old = aliexpress(ClockKind.RETURN_SHIPMENT)
    policy_revise(policy=old, actor=supervisor, length=12 * D)
    with pytest.raises(ValidationError) as info:
        policy_revise(policy=ClockPolicy.objects.get(pk=old.pk), actor=supervisor, length=14 * D)
    assert info.value.messages == [str(NOT_CURRENT)]


def test_a_revision_on_a_stale_copy_is_refused(supervisor):
    first_copy = aliexpress(ClockKind.RETURN_SHIPMENT)
    second_copy = aliexpress(ClockKind.RETURN_SHIPMENT)
    policy_revise(policy=first_copy, actor=supervisor, length=12 * D)
    with pytest.raises(ValidationError) as info:
        policy_revise(policy=second_copy, actor=supervisor, length=14 * D)
    assert info.value.messages == [str(REPLACED_MEANWHILE)]
    assert ClockPolicy.objects.filter(kind=ClockKind.RETURN_SHIPMENT, marketplace="aliexpress").count() == 2


def test_a_revision_that_changes_nothing_is_refused(supervisor):
    policy = aliexpress(ClockKind.DISPUTE_RESPONSE)
    with pytest.raises(ValidationError) as info:
        policy_revise(policy=policy, actor=supervisor, length=policy.length)
    assert info.value.messages == [str(NOTHING_CHANGED)]


def test_a_revision_cannot_change_what_names_the_policy(supervisor):
    with pytest.raises(TypeError):
        policy_revise(policy=aliexpress(ClockKind.DISPUTE_RESPONSE), actor=supervisor, kind=ClockKind.REFUND_DECISION)


def test_an_invalid_revision_changes_nothing(supervisor):
    old = aliexpress(ClockKind.DISPUTE_RESPONSE)
    with pytest.raises(ValidationError):
        policy_revise(policy=old, actor=supervisor, length=dt.timedelta(0))
    old.refresh_from_db()
    assert old.is_current is True
    assert ClockPolicy.objects.filter(marketplace="aliexpress", kind=ClockKind.DISPUTE_RESPONSE).count() == 1
    assert not policy_audit(old).exists()


def test_running_clocks_keep_their_version_and_new_clocks_take_the_new_one(store, supervisor):
    old = aliexpress(ClockKind.DISPUTE_RESPONSE)
    ClockPolicy.objects.filter(pk=old.pk).update(created_at=T0 - 30 * 24 * H)

    def opened(at):
        return clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=DisputeFactory(store=store), started_at=at,
                               actor="test", start_event="dispute.opened_at")

    running = opened(T0)
    with time_machine.travel(T0 + H, tick=False):
        new = policy_revise(policy=old, actor=supervisor, length=48 * H)
    started = opened(T0 + 2 * H)
    # Opened before the revision, though it reached the desk after it: the old rules.
    late = opened(T0 + H - dt.timedelta(seconds=1))

    running.refresh_from_db()
    assert (running.policy_id, running.due_at) == (old.pk, T0 + 24 * H)
    assert (started.policy_id, started.due_at, started.basis["policy_version"]) == (new.pk, T0 + 50 * H, 2)
    assert (late.policy_id, late.due_at) == (old.pk, T0 + 25 * H - dt.timedelta(seconds=1))


def test_an_event_older_than_every_version_falls_under_the_first(store):
    first = aliexpress(ClockKind.DISPUTE_RESPONSE)
    clock = clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=DisputeFactory(store=store),
                            started_at=first.created_at - 365 * 24 * H, actor="test", start_event="dispute.opened_at")
    assert clock.policy_id == first.pk


# The admin --------------------------------------------------------------------------------------
def test_editing_a_policy_in_the_admin_creates_a_new_version(admin_client, admin_user):
    old = aliexpress(ClockKind.DISPUTE_RESPONSE)
    url, data = change_form_data(admin_client, old, length="2 00:00:00", warn_before="06:00:00",
                                 change_reason="Peak season")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    new = aliexpress(ClockKind.DISPUTE_RESPONSE)
    assert response.url == admin_url(ClockPolicy, "changelist")
    assert (new.version, new.length, new.warn_before, new.created_by) == (2, 2 * D, 6 * H, admin_user)
    old.refresh_from_db()
    assert (old.is_current, old.length) == (False, 24 * H)
    assert [(e.field, e.reason) for e in policy_audit(new)] == [("length", "Peak season"),
                                                               ("warn_before", "Peak season")]


@pytest.mark.parametrize(("changes", "field"), [
    ({"length": "-1 00:00:00"}, "length"),
    ({"length": "1 00:00:00", "warn_before": "30 00:00:00"}, "warn_before"),
    ({"escalate_before": "1 00:00:00"}, "escalate_before"),  # the clock is 24 h
    ({"warn_before": "02:00:00", "escalate_before": "03:00:00"}, "escalate_before"),  # before the warning
])
def test_alert_points_that_would_fire_at_the_start_are_field_errors_in_the_admin(admin_client, changes, field):
    old = aliexpress(ClockKind.DISPUTE_RESPONSE)
    url, data = change_form_data(admin_client, old, **changes)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert field in form_errors(response), form_errors(response)
    assert "Constraint" not in response.content.decode()  # never a raw constraint name
    assert aliexpress(ClockKind.DISPUTE_RESPONSE).version == 1


def test_saving_an_unchanged_policy_in_the_admin_adds_no_version(admin_client):
    old = aliexpress(ClockKind.DISPUTE_RESPONSE)
    url, data = change_form_data(admin_client, old)
    assert admin_client.post(url, data).status_code == 302
    assert aliexpress(ClockKind.DISPUTE_RESPONSE) == old


def test_a_retired_version_is_read_only_in_the_admin(admin_client, supervisor):
    old = aliexpress(ClockKind.DISPUTE_RESPONSE)
    policy_revise(policy=old, actor=supervisor, length=12 * H)
    old.refresh_from_db()

    page = admin_client.get(admin_url(old, "change"))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert b'name="_save"' not in page.content
    assert admin_client.post(admin_url(old, "change"), {"length": "1:00:00"}).status_code == 403
    old.refresh_from_db()
    assert old.length == 24 * H


def test_no_policy_version_is_ever_deleted(admin_client):
    policy = aliexpress(ClockKind.DISPUTE_RESPONSE)
    assert admin_client.get(admin_url(policy, "delete")).status_code == 403


def test_adding_a_second_current_policy_is_refused_on_the_form(admin_client):
    response = admin_client.post(admin_url(ClockPolicy, "add"), {
        "marketplace": Marketplace.ALIEXPRESS, "kind": ClockKind.DISPUTE_RESPONSE, "length": "12:00:00",
        "raises_alerts": "on"})
    assert response.status_code == 200
    assert form_errors(response)["__all__"] == [
        "This marketplace already has a current Dispute response policy: open it and change it there."]
    assert ClockPolicy.objects.filter(marketplace="aliexpress", kind=ClockKind.DISPUTE_RESPONSE).count() == 1


def test_adding_a_policy_numbers_it_after_the_retired_versions(admin_client, admin_user):
    ClockPolicy.objects.filter(marketplace=Marketplace.OTHER, kind=ClockKind.CHARGEBACK_WINDOW).update(
        is_current=False)
    response = admin_client.post(admin_url(ClockPolicy, "add"), {
        "marketplace": Marketplace.OTHER, "kind": ClockKind.CHARGEBACK_WINDOW, "length": "120 00:00:00"})
    assert response.status_code == 302
    added = policy_current(marketplace=Marketplace.OTHER, kind=ClockKind.CHARGEBACK_WINDOW)
    assert (added.version, added.length, added.created_by, added.raises_alerts) == (2, 120 * D, admin_user, False)
    assert policy_audit(added).get().action == "create"


def test_the_policy_list_filters_by_marketplace_and_currency(admin_client, supervisor):
    policy_revise(policy=aliexpress(ClockKind.DISPUTE_RESPONSE), actor=supervisor, length=12 * H)
    response = admin_client.get(admin_url(ClockPolicy, "changelist"),
                                {"marketplace": "aliexpress", "is_current__exact": "1"})
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert len(rows) == len(ClockKind.values)
    assert {(p.kind, p.version) for p in rows if p.kind == ClockKind.DISPUTE_RESPONSE} == {
        (ClockKind.DISPUTE_RESPONSE, 2)}
    retired = admin_client.get(admin_url(ClockPolicy, "changelist"), {"is_current__exact": "0"})
    assert [p.version for p in retired.context["cl"].result_list] == [1]


# eBay: deadlines at the end of the day, US Pacific time (DOMAIN.md) ---------------------------------
@pytest.mark.parametrize(("opened", "due"), [
    # Three days on from 10:00 UTC is 02:00 Pacific (PST): the end of that day is 07:59:59 UTC next day.
    (dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 24, 7, 59, 59, tzinfo=dt.UTC)),
    # Across the March change to PDT the day ends an hour earlier in UTC.
    (dt.datetime(2026, 3, 6, 20, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 10, 6, 59, 59, tzinfo=dt.UTC)),
    # Opened at 23:59:59 Pacific: due at the end of the day three days on, not a second earlier.
    (dt.datetime(2026, 11, 21, 7, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 11, 24, 7, 59, 59, tzinfo=dt.UTC)),
])
def test_ebay_deadlines_fall_at_the_end_of_the_pacific_day(opened, due):
    store = StoreFactory(marketplace=Marketplace.EBAY, timezone="Europe/Berlin")
    clock = clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=DisputeFactory(store=store), started_at=opened,
                            actor="test", start_event="dispute.opened_at")
    assert clock.due_at == due
    assert clock.basis["day_end_zone"] == "America/Los_Angeles"
    assert "The marketplace's deadlines fall at 23:59:59 of the day in America/Los_Angeles." in \
        clock_explanation_lines(clock)


def test_a_working_hours_policy_cannot_end_at_day_end():
    policy = aliexpress(ClockKind.FIRST_RESPONSE)
    policy.day_end_zone = "America/Los_Angeles"
    with pytest.raises(ValidationError) as info:
        policy.full_clean()
    assert list(info.value.message_dict) == ["day_end_zone"]


def test_ebays_own_clocks_of_the_desk_run_to_the_minute(store):
    ebay = StoreFactory(marketplace=Marketplace.EBAY, timezone="Europe/Berlin")
    ticket_clock = clock_start_for(kind=ClockKind.SENSITIVE_ESCALATION, subject=DisputeFactory(store=ebay),
                                   started_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), actor="test",
                                   start_event="message.sent_at")
    assert ticket_clock.due_at == dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
