"""The Django admin: every page loads, rows are scoped to the user's stores, and
status changes go through the services (refused moves show on the form, accepted
ones leave an audit entry)."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tickets.admin.tickets import SYSTEM_LINES
from tickets.choices import ClockKind, ClockState, DisputeStatus, MessageKind, ReturnStatus, TicketStatus
from tickets.models import (
    AuditEntry,
    Clock,
    Dispute,
    Evidence,
    Heartbeat,
    Message,
    Order,
    Refund,
    Return,
    Ticket,
)
from tickets.services.api_keys import api_key_create
from tickets.services.audit import audit_record
from tickets.services.disputes import OUTCOME_REQUIRED, dispute_open
from tickets.services.messages import message_receive
from tickets.services.rates import rate_set
from tickets.services.returns import TRACKING_REQUIRED
from tickets.services.workflow import ConcurrentChange

from .factories import (
    T0,
    AlertReceiptFactory,
    BuyerFactory,
    ClockFactory,
    DeliveryAttemptFactory,
    DisputeFactory,
    DisputeProposalFactory,
    EvidenceFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    RefundFactory,
    ReplyTemplateFactory,
    ReturnFactory,
    StoreFactory,
    StoreHolidayFactory,
    TemplateBodyFactory,
    TemplateUseFactory,
    TicketFactory,
)
from .test_webhooks import make_delivery

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
DESK_MODELS = [(model, model_admin) for model, model_admin in REGISTERED
               if model._meta.app_label in ("tickets", "templates_lib")]


# Helpers ------------------------------------------------------------------------------
class _FormFields(HTMLParser):
    """The values a browser would submit from the form with ``form_id``."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                # Browsers drop the newline that follows <textarea>.
                value = self.data[self._textarea][-1]
                self.data[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self.inside = False


def change_form_data(client, obj, **changes):
    """The change form of ``obj`` as the page shows it, with ``changes`` applied."""
    url = admin_url(obj, "change")
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields(f"{obj._meta.model_name}_form")
    parser.feed(response.content.decode())
    data = {name: values if len(values) > 1 else values[0] for name, values in parser.data.items()}
    data.update(changes)
    return url, data


def admin_url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    if view in ("change", "delete", "history"):
        args = (obj_or_model.pk,)
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def form_errors(response):
    return response.context["adminform"].form.errors


# Fixtures -----------------------------------------------------------------------------
@pytest.fixture
def world(store, other_store, admin_user, settings, tmp_path):
    """One row of every model in ``store``, and a ticket in ``other_store``."""
    settings.MEDIA_ROOT = tmp_path
    StoreHolidayFactory(store=store)
    order = OrderFactory(store=store, buyer=BuyerFactory(store=store, name="Camille Martin"))
    OrderItemFactory(order=order)
    ticket = TicketFactory(store=store, order=order, subject="Parcel stuck in customs")
    message = MessageFactory(ticket=ticket)
    dispute = DisputeFactory(store=store, order=order)
    DisputeProposalFactory(dispute=dispute)
    ReturnFactory(store=store, dispute=dispute)
    RefundFactory(store=store, order=order)
    EvidenceFactory(store=store, ticket=ticket, message=message)
    clock = ClockFactory(store=store, dispute=dispute)
    receipt = AlertReceiptFactory(alert__clock=clock, user=admin_user)
    DeliveryAttemptFactory(delivery__alert=receipt.alert)
    api_key_create(name="erp-main", stores=[store], actor=admin_user)  # before the entry checked below
    rate_set(currency="EUR" if settings.DESK_CURRENCY != "EUR" else "USD", rate="1.08", actor=admin_user)
    audit_record(subject=ticket, actor=admin_user, action="status", field="status", from_value="new",
                 to_value="open", reason="picked up")
    Heartbeat.objects.create(name="beat", last_seen=T0)
    Group.objects.create(name="Night shift")
    TemplateUseFactory(ticket=ticket, body=TemplateBodyFactory(template=ReplyTemplateFactory(store=store)))
    TicketFactory(store=other_store, subject="Other store's parcel")
    make_delivery(store)  # a webhook subscription, event, delivery and attempt
    return {"ticket": ticket, "order": order, "dispute": dispute, "clock": clock}


# Every page -----------------------------------------------------------------------------
@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED])
def test_every_admin_page_loads_for_a_superuser(admin_client, world, model, model_admin):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    if model_admin.search_fields:
        assert admin_client.get(admin_url(model, "changelist"), {"q": "parcel"}).status_code == 200
    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the world fixture has no {model._meta.label}"
    assert admin_client.get(admin_url(obj, "change")).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), DESK_MODELS, ids=[m._meta.label for m, _ in DESK_MODELS])
def test_every_admin_page_loads_for_a_supervisor(supervisor_client, staff_supervisor, world, model, model_admin):
    assert supervisor_client.get(admin_url(model, "changelist")).status_code == 200
    add = supervisor_client.get(admin_url(model, "add"))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)
    obj = model_admin.get_queryset(add.wsgi_request).order_by("pk").first()
    assert obj is not None, f"the supervisor sees no {model._meta.label}"
    assert supervisor_client.get(admin_url(obj, "change")).status_code == 200


def test_the_ticket_changelist_does_not_query_per_row(admin_client, store):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(admin_url(Ticket, "changelist")).status_code == 200
        return len(queries)

    TicketFactory.create_batch(2, store=store)
    few = count_queries()
    TicketFactory.create_batch(8, store=store)
    assert count_queries() == few


# Store scoping ----------------------------------------------------------------------------
def test_a_supervisor_sees_only_their_stores_tickets(supervisor_client, world):
    response = supervisor_client.get(admin_url(Ticket, "changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [world["ticket"]]
    assert "Other store&#x27;s parcel" not in response.content.decode()


def test_another_stores_ticket_is_not_found(supervisor_client, world, other_store):
    other = Ticket.objects.get(store=other_store)

    response = supervisor_client.get(admin_url(other, "change"))

    # Django's answer to an object outside get_queryset: back to the index, "doesn't exist".
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_a_supervisor_picks_only_their_stores(supervisor_client, world, store):
    response = supervisor_client.get(admin_url(Ticket, "add"))

    form = response.context["adminform"].form
    assert list(form.fields["store"].queryset) == [store]
    assert set(form.fields["order"].queryset) == {world["order"]}


def test_the_store_filter_lists_only_their_stores(supervisor_client, staff_supervisor, world, store):
    # (With a single store the filter is not shown at all.)
    second = StoreFactory(code="ae-second")
    staff_supervisor.stores.add(second)

    response = supervisor_client.get(admin_url(Ticket, "changelist"))

    store_filter = next(f for f in response.context["cl"].filter_specs if f.title == "store")
    assert {pk for pk, _ in store_filter.lookup_choices} == {store.pk, second.pk}


def test_autocomplete_offers_only_their_stores_objects(supervisor_client, world):
    response = supervisor_client.get(reverse("admin:autocomplete"), {
        "app_label": "tickets", "model_name": "ticket", "field_name": "order", "term": ""})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(world["order"].pk)]


# Status changes through the services ---------------------------------------------------------
def test_a_refused_transition_shows_on_the_status_field(admin_client, store):
    ticket = TicketFactory(store=store, status=TicketStatus.CLOSED)
    url, data = change_form_data(admin_client, ticket, status=TicketStatus.OPEN, change_reason="buyer wrote again")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert form_errors(response)["status"] == ["This ticket cannot go from “Closed” to “Open”. “Closed” is final."]
    assert "“Closed” is final." in response.content.decode()
    assert "This status is final." in response.content.decode()  # the help text says so up front
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert not AuditEntry.objects.filter(object_id=ticket.pk, action="status").exists()


def test_a_transition_goes_through_the_service_and_is_audited(client, staff_supervisor, store):
    client.force_login(staff_supervisor)
    ticket = TicketFactory(store=store, status=TicketStatus.OPEN)
    url, data = change_form_data(client, ticket, status=TicketStatus.RESOLVED, subject="Refund agreed",
                                 change_reason="buyer confirmed the refund")

    response = client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolved_at is not None  # stamped by ticket_set_status
    assert ticket.subject == "Refund agreed"  # the other fields are saved as usual
    entry = AuditEntry.objects.get(object_id=ticket.pk, action="status")
    assert (entry.actor, entry.actor_label, entry.field) == (staff_supervisor, "supervisor", "status")
    assert (entry.from_value, entry.to_value) == (TicketStatus.OPEN, TicketStatus.RESOLVED)
    assert entry.reason == "buyer confirmed the refund"
    assert entry.store == store


def test_assigning_in_the_form_goes_through_ticket_assign(admin_client, store, staff_supervisor, other_agent):
    ticket = TicketFactory(store=store)
    url, data = change_form_data(admin_client, ticket, assignee=other_agent.pk)

    response = admin_client.post(url, data)

    assert form_errors(response)["assignee"] == ["other-agent does not work for store ae-main."]

    data["assignee"] = staff_supervisor.pk
    assert admin_client.post(url, data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == staff_supervisor
    assert AuditEntry.objects.filter(object_id=ticket.pk, action="assign", to_value="supervisor").exists()


def test_resolving_a_dispute_needs_an_outcome(admin_client, store):
    dispute = DisputeFactory(store=store)
    url, data = change_form_data(admin_client, dispute, status=DisputeStatus.RESOLVED)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert form_errors(response)["outcome"] == [str(OUTCOME_REQUIRED)]

    data["outcome"] = "seller_won"
    assert admin_client.post(url, data).status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == (DisputeStatus.RESOLVED, "seller_won")
    assert dispute.resolved_at is not None


def test_shipping_a_return_back_needs_its_tracking_number(admin_client, store):
    ret = ReturnFactory(store=store)
    url, data = change_form_data(admin_client, ret, status=ReturnStatus.IN_TRANSIT)

    response = admin_client.post(url, data)

    assert form_errors(response)["tracking_number"] == [str(TRACKING_REQUIRED)]

    data["tracking_number"] = "LP00999CN"
    assert admin_client.post(url, data).status_code == 302
    ret.refresh_from_db()
    assert (ret.status, ret.tracking_number) == (ReturnStatus.IN_TRANSIT, "LP00999CN")
    assert ret.tracking_submitted_at is not None


def test_meeting_a_clock_stamps_it_through_the_service(admin_client, store):
    clock = ClockFactory(store=store)
    url, data = change_form_data(admin_client, clock, state=ClockState.MET, change_reason="replied")

    assert admin_client.post(url, data).status_code == 302

    clock.refresh_from_db()
    assert clock.state == ClockState.MET
    assert clock.met_at is not None
    assert AuditEntry.objects.filter(object_id=clock.pk, field="state", to_value="met", reason="replied").exists()


def test_a_new_object_keeps_its_initial_status_and_is_audited(admin_client, store):
    order = OrderFactory(store=store)
    data = {"store": store.pk, "order": order.pk, "buyer": order.buyer_id, "subject": "Wrong colour",
            "category": "quality", "priority": "yellow", "status": TicketStatus.NEW, "language": "fr",
            "change_reason": "phoned in", "messages-TOTAL_FORMS": 0, "messages-INITIAL_FORMS": 0}

    response = admin_client.post(admin_url(Ticket, "add"), data)

    assert response.status_code == 302, form_errors(response)
    ticket = Ticket.objects.get(subject="Wrong colour")
    entry = AuditEntry.objects.get(object_id=ticket.pk, content_type=ContentType.objects.get_for_model(Ticket))
    assert (entry.action, entry.to_value, entry.reason) == ("create", TicketStatus.NEW, "phoned in")


def test_assign_to_me(supervisor_client, staff_supervisor, world):
    ticket = world["ticket"]

    response = supervisor_client.post(admin_url(Ticket, "changelist"),
                                      {"action": "assign_to_me", "_selected_action": [ticket.pk]})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == staff_supervisor


# Refunds ------------------------------------------------------------------------------------
def refund_data(order, amount):
    return {"order": order.pk, "amount": amount, "currency": "", "reason": "goodwill", "source": "agent",
            "refunded_at_0": "2025-03-10", "refunded_at_1": "08:00:00"}


def test_a_refund_above_what_is_left_is_refused_on_the_amount(admin_client, store):
    order = OrderFactory(store=store, total=Decimal("40.00"))

    response = admin_client.post(admin_url(Refund, "add"), refund_data(order, "40.01"))

    assert response.status_code == 200
    assert "still refundable" in form_errors(response)["amount"][0]
    assert not Refund.objects.exists()


def test_a_refund_is_recorded_through_the_service(admin_client, admin_user, store):
    order = OrderFactory(store=store, total=Decimal("40.00"))

    response = admin_client.post(admin_url(Refund, "add"), refund_data(order, "15.00"))

    assert response.status_code == 302, form_errors(response)
    refund = Refund.objects.get()
    assert (refund.store, refund.currency, refund.recorded_by) == (store, "USD", admin_user)
    assert Order.objects.get(pk=order.pk).refunded_amount == Decimal("15.00")
    # Recorded once, never edited or removed.
    assert admin_client.post(admin_url(refund, "change"), refund_data(order, "1.00")).status_code == 403
    assert admin_client.post(admin_url(refund, "delete"), {"post": "yes"}).status_code == 403


# The audit trail --------------------------------------------------------------------------------
def test_the_audit_trail_is_read_only(admin_client, world):
    entry = AuditEntry.objects.first()

    assert admin_client.get(admin_url(AuditEntry, "add")).status_code == 403
    assert admin_client.post(admin_url(entry, "change"), {"reason": "edited"}).status_code == 403
    assert admin_client.post(admin_url(entry, "delete"), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "picked up"


def test_the_plain_save_never_writes_the_status(admin_client, store):
    """A status changed meanwhile (by the sweep, another agent) survives an unrelated edit."""
    dispute = DisputeFactory(store=store)
    url, data = change_form_data(admin_client, dispute, outcome_note="called the buyer")
    Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.NEGOTIATING)

    assert admin_client.post(url, data).status_code == 302

    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome_note) == (DisputeStatus.NEGOTIATING, "called the buyer")


def test_a_status_changed_meanwhile_is_reported_not_overwritten(admin_client, store):
    ticket = TicketFactory(store=store, status=TicketStatus.OPEN)
    url, data = change_form_data(admin_client, ticket, status=TicketStatus.RESOLVED)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.ESCALATED)

    response = admin_client.post(url, data)

    assert form_errors(response)["status"] == [
        "This ticket was changed by someone else meanwhile; reload it and try again."]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ESCALATED


def test_a_late_refusal_by_the_service_rolls_the_change_back(admin_client, store, monkeypatch):
    ret = ReturnFactory(store=store)
    url, data = change_form_data(admin_client, ret, status=ReturnStatus.CANCELLED, carrier="Cainiao")

    def refuse(**kwargs):
        raise ConcurrentChange({"status": "This return was changed by someone else meanwhile."})

    monkeypatch.setattr("tickets.admin.returns.return_set_status", refuse)
    response = admin_client.post(url, data, follow=True)

    assert "This return was changed by someone else meanwhile." in response.content.decode()
    ret.refresh_from_db()
    assert (ret.status, ret.carrier) == (ReturnStatus.AWAITING_SHIPMENT, "")  # the whole change rolled back


def test_a_clock_is_breached_only_by_the_sweep(admin_client, store):
    clock = ClockFactory(store=store)
    url, data = change_form_data(admin_client, clock, state=ClockState.BREACHED)

    response = admin_client.post(url, data)

    assert "Only the sweep" in form_errors(response)["state"][0]
    assert Clock.objects.get(pk=clock.pk).state == ClockState.RUNNING


# Add pages create through the services, which start or meet the clocks ----------------------
def add_form_data(client, model, **values):
    """The add form of ``model`` as the page shows it (management forms included),
    with ``values`` filled in; a datetime fills the split date and time inputs."""
    url = admin_url(model, "add")
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    data = {name: items if len(items) > 1 else items[0] for name, items in parser.data.items()}
    for name, value in values.items():
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            data.update({f"{name}_0": local.date().isoformat(), f"{name}_1": local.time().isoformat()})
        else:
            data[name] = value
    return url, data


def add_page_fields(client, model):
    return set(client.get(admin_url(model, "add")).context["adminform"].form.fields)


def test_adding_a_dispute_opens_it_and_starts_its_response_clock(admin_client, admin_user, store):
    order = OrderFactory(store=store, total=Decimal("80.00"), currency="EUR")
    opened_at = T0 + datetime.timedelta(minutes=7)
    assert not {"status", "outcome", "currency"} & add_page_fields(admin_client, Dispute)  # the service's
    url, data = add_form_data(
        admin_client, Dispute, store=store.pk, external_id="D-ADMIN-1", order=order.pk, family="not_as_described",
        reason="damaged", requested_solution="full_refund", requested_amount="80.00", opened_at=opened_at)

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    dispute = Dispute.objects.get(external_id="D-ADMIN-1")
    assert (dispute.status, dispute.currency, dispute.opened_at) == (DisputeStatus.OPEN, "EUR", opened_at)
    clock = Clock.objects.get(dispute=dispute)
    assert (clock.kind, clock.state, clock.started_at) == (ClockKind.DISPUTE_RESPONSE, ClockState.RUNNING, opened_at)
    assert AuditEntry.objects.filter(object_id=dispute.pk, action="create", actor=admin_user,
                                     content_type=ContentType.objects.get_for_model(Dispute)).exists()
    assert response.url == admin_url(Dispute, "changelist")  # the admin names the service's row


def test_a_refused_dispute_shows_on_its_field_and_creates_nothing(admin_client, store):
    order = OrderFactory(store=store, total=Decimal("40.00"))
    url, data = add_form_data(
        admin_client, Dispute, store=store.pk, external_id="D-ADMIN-2", order=order.pk, family="not_as_described",
        reason="damaged", requested_solution="full_refund", requested_amount="40.01", opened_at=T0)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert form_errors(response)["requested_amount"] == ["The requested amount is above the 40.00 USD paid."]
    assert not Dispute.objects.exists()
    assert not Clock.objects.exists()


def test_adding_a_return_starts_its_shipment_clock(admin_client, store):
    dispute = DisputeFactory(store=store)
    agreed_at = T0 + datetime.timedelta(days=1)
    assert not {"status", "tracking_number", "store", "order"} & add_page_fields(admin_client, Return)
    url, data = add_form_data(admin_client, Return, external_id="R-ADMIN-1", dispute=dispute.pk,
                              agreed_at=agreed_at, carrier="Cainiao")

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    ret = Return.objects.get(external_id="R-ADMIN-1")
    assert (ret.store, ret.order, ret.status, ret.carrier) == (store, dispute.order, ReturnStatus.AWAITING_SHIPMENT,
                                                               "Cainiao")
    clock = Clock.objects.get(return_request=ret)
    assert (clock.kind, clock.state, clock.started_at) == (ClockKind.RETURN_SHIPMENT, ClockState.RUNNING, agreed_at)

    # A second return while this one is under way is refused on the dispute, not by the database.
    data["external_id"] = "R-ADMIN-2"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert form_errors(response)["dispute"] == ["This dispute already has a return under way."]
    assert Return.objects.count() == 1


def test_adding_a_buyer_message_starts_the_first_response_clock(admin_client, store):
    ticket = TicketFactory(store=store)
    url, data = add_form_data(admin_client, Message, ticket=ticket.pk, kind=MessageKind.BUYER,
                              body="Where is my parcel?", sent_at=T0, external_id="M-1")

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    message = Message.objects.get(ticket=ticket)
    assert (message.store, message.author, message.external_id) == (store, None, "M-1")
    clock = Clock.objects.get(message=message)
    assert (clock.kind, clock.state, clock.started_at) == (ClockKind.FIRST_RESPONSE, ClockState.RUNNING, T0)
    assert Ticket.objects.get(pk=ticket.pk).last_buyer_message_at == T0

    # The same platform message again is refused, not silently handed back.
    response = admin_client.post(url, data)
    assert form_errors(response)["external_id"] == ["Store ae-main already has a message with this platform id."]
    assert Message.objects.count() == 1


def test_adding_an_agent_reply_meets_the_first_response_clock(admin_client, admin_user, store):
    ticket = TicketFactory(store=store)
    buyer_message = message_receive(ticket=ticket, body="Where is my parcel?", sent_at=T0, actor="test")
    replied_at = T0 + datetime.timedelta(minutes=20)
    url, data = add_form_data(admin_client, Message, ticket=ticket.pk, kind=MessageKind.AGENT_REPLY,
                              body="It left the warehouse today.", sent_at=replied_at)

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.AGENT_REPLY)
    assert reply.author == admin_user  # the user, when nobody else is picked
    clock = Clock.objects.get(message=buyer_message)
    assert (clock.state, clock.met_at) == (ClockState.MET, replied_at)
    assert Ticket.objects.get(pk=ticket.pk).first_replied_at == replied_at


def test_an_internal_note_meets_nothing_and_system_lines_are_refused(admin_client, admin_user, store):
    ticket = TicketFactory(store=store)
    message_receive(ticket=ticket, body="Where is my parcel?", sent_at=T0, actor="test")
    url, data = add_form_data(admin_client, Message, ticket=ticket.pk, kind=MessageKind.INTERNAL_NOTE,
                              body="Asked the warehouse.", sent_at=T0, external_id="M-2")

    response = admin_client.post(url, data)
    assert form_errors(response)["external_id"] == ["Not recorded for “Internal note”: leave it empty."]

    data["external_id"] = ""
    assert admin_client.post(url, data).status_code == 302
    note = Message.objects.get(kind=MessageKind.INTERNAL_NOTE)
    assert note.author == admin_user
    assert Clock.objects.get().state == ClockState.RUNNING

    data["kind"] = MessageKind.SYSTEM
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert form_errors(response)["kind"] == [str(SYSTEM_LINES)]
    assert Message.objects.count() == 2


def test_adding_evidence_to_a_dispute_meets_its_response_clock(admin_client, admin_user, store, settings,
                                                               tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = OrderFactory(store=store)
    dispute = dispute_open(store=store, order=order, external_id="D-EVIDENCE", family="not_as_described",
                           reason="damaged", requested_solution="full_refund", requested_amount=Decimal("50.00"),
                           opened_at=timezone.now() - datetime.timedelta(hours=1), actor="test")
    url, data = add_form_data(admin_client, Evidence, store=store.pk, dispute=dispute.pk, kind="photo",
                              description="Parcel as packed")
    data["file"] = SimpleUploadedFile("packed.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    evidence = Evidence.objects.get(dispute=dispute)
    assert evidence.uploaded_by == admin_user
    assert (tmp_path / evidence.file.name).exists()
    clock = Clock.objects.get(dispute=dispute, kind=ClockKind.DISPUTE_RESPONSE)
    assert (clock.state, clock.met_at) == (ClockState.MET, evidence.uploaded_at)
    assert Dispute.objects.get(pk=dispute.pk).seller_responded_at == evidence.uploaded_at


def test_the_buyers_own_evidence_answers_nothing(admin_client, store, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = OrderFactory(store=store)
    dispute = dispute_open(store=store, order=order, external_id="D-BUYER", family="not_as_described",
                           reason="damaged", requested_solution="full_refund", requested_amount=Decimal("50.00"),
                           opened_at=timezone.now(), actor="test")
    url, data = add_form_data(admin_client, Evidence, store=store.pk, dispute=dispute.pk, kind="photo",
                              by_buyer="on")
    data["file"] = SimpleUploadedFile("broken.jpg", b"\xff\xd8\xff\xe0", "image/jpeg")

    assert admin_client.post(url, data).status_code == 302

    assert Clock.objects.get(dispute=dispute).state == ClockState.RUNNING


def test_a_late_refusal_of_an_add_is_reported_and_rolled_back(admin_client, store, monkeypatch):
    dispute = DisputeFactory(store=store)
    url, data = add_form_data(admin_client, Return, external_id="R-LATE", dispute=dispute.pk, agreed_at=T0)

    def refuse(**kwargs):
        Return.objects.create(store=store, order=dispute.order, dispute=dispute, external_id="R-LATE", agreed_at=T0)
        raise ValidationError({"external_id": "Store ae-main already has a return with this platform id."})

    monkeypatch.setattr("tickets.admin.returns.return_agree", refuse)
    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "already has a return with this platform id" in response.content.decode()
    assert not Return.objects.exists()  # rolled back with the whole add
