"""Store scoping: a user sees the rows of the stores they work for, nothing else.

Each ``*_for_user`` selector answers 404 (never the object) for another store;
admins and superusers see every store; an anonymous user sees nothing.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from templates_lib.models import ReplyTemplate, TemplateBody, TemplateUse
from tickets import selectors
from tickets.models import (
    Alert,
    AlertDelivery,
    AlertReceipt,
    AuditEntry,
    Buyer,
    Clock,
    Dispute,
    DisputeProposal,
    Evidence,
    Message,
    Order,
    OrderItem,
    Refund,
    Return,
    Store,
    StoreHoliday,
    Ticket,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from tickets.services.audit import audit_record

from .factories import (
    AlertFactory,
    AlertReceiptFactory,
    BuyerFactory,
    ClockFactory,
    DisputeFactory,
    DisputeProposalFactory,
    EvidenceFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    RefundFactory,
    ReplyTemplateFactory,
    ReturnFactory,
    StoreHolidayFactory,
    TemplateBodyFactory,
    TemplateUseFactory,
    TicketFactory,
    UserFactory,
)
from .test_webhooks import make_delivery, make_event, make_subscription

pytestmark = pytest.mark.django_db


def _audit_entry(store):
    return audit_record(subject=store, actor="system:test", action="note")


# How to make a row of each model in a given store.
MAKERS = {
    Store: lambda store: store,
    StoreHoliday: lambda store: StoreHolidayFactory(store=store),
    Buyer: lambda store: BuyerFactory(store=store),
    Order: lambda store: OrderFactory(store=store),
    OrderItem: lambda store: OrderItemFactory(order__store=store),
    Ticket: lambda store: TicketFactory(store=store),
    Message: lambda store: MessageFactory(ticket__store=store),
    Dispute: lambda store: DisputeFactory(store=store),
    DisputeProposal: lambda store: DisputeProposalFactory(dispute__store=store),
    Return: lambda store: ReturnFactory(store=store),
    Refund: lambda store: RefundFactory(store=store),
    Evidence: lambda store: EvidenceFactory(store=store),
    Clock: lambda store: ClockFactory(store=store),
    Alert: lambda store: AlertFactory(clock__store=store),
    AlertReceipt: lambda store: AlertReceiptFactory(alert__clock__store=store),
    AlertDelivery: lambda store: AlertDelivery.objects.create(
        alert=AlertFactory(clock__store=store), channel=AlertDelivery.Channel.EMAIL, target="ops@example.com"),
    AuditEntry: _audit_entry,
    ReplyTemplate: lambda store: ReplyTemplateFactory(store=store),
    TemplateBody: lambda store: TemplateBodyFactory(template__store=store),
    TemplateUse: lambda store: TemplateUseFactory(ticket__store=store),
    WebhookSubscription: make_subscription,
    WebhookEvent: make_event,
    WebhookDelivery: make_delivery,
}

SELECTORS = [
    (selectors.store_for_user, Store),
    (selectors.buyer_for_user, Buyer),
    (selectors.order_for_user, Order),
    (selectors.ticket_for_user, Ticket),
    (selectors.dispute_for_user, Dispute),
    (selectors.return_for_user, Return),
    (selectors.refund_for_user, Refund),
    (selectors.evidence_for_user, Evidence),
    (selectors.clock_for_user, Clock),
    (selectors.alert_for_user, Alert),
]
SELECTOR_IDS = [helper.__name__ for helper, _ in SELECTORS]


def test_every_selector_is_tested():
    querysets = {"stores_for_user", "unread_alerts_for_user"}  # lists, tested below
    helpers = {name for name in dir(selectors) if name.endswith("_for_user")} - querysets
    assert helpers == set(SELECTOR_IDS)


def test_every_store_scoped_model_is_tested():
    from django.apps import apps

    scoped = {
        model for label in ("tickets", "templates_lib") for model in apps.get_app_config(label).get_models()
        if hasattr(model.objects, "visible_to")
    }
    assert scoped == set(MAKERS)


@pytest.mark.parametrize(("helper", "model"), SELECTORS, ids=SELECTOR_IDS)
def test_selector_finds_own_store_and_hides_another(agent, store, other_store, helper, model):
    mine, theirs = MAKERS[model](store), MAKERS[model](other_store)
    assert helper(agent, mine.pk) == mine
    with pytest.raises(Http404):
        helper(agent, theirs.pk)


@pytest.mark.parametrize(("helper", "model"), SELECTORS, ids=SELECTOR_IDS)
@pytest.mark.parametrize("who", ["role_admin", "superuser"])
def test_admins_and_superusers_see_every_store(request, store, other_store, helper, model, who):
    user = request.getfixturevalue(who)
    mine, theirs = MAKERS[model](store), MAKERS[model](other_store)
    assert helper(user, mine.pk) == mine
    assert helper(user, theirs.pk) == theirs


@pytest.mark.parametrize(("helper", "model"), SELECTORS, ids=SELECTOR_IDS)
def test_anonymous_user_sees_nothing(store, helper, model):
    obj = MAKERS[model](store)
    with pytest.raises(Http404):
        helper(AnonymousUser(), obj.pk)


@pytest.mark.parametrize(("helper", "model"), SELECTORS, ids=SELECTOR_IDS)
def test_user_of_two_stores_sees_both(store, other_store, helper, model):
    user = UserFactory(stores=[store, other_store])
    for obj in (MAKERS[model](store), MAKERS[model](other_store)):
        assert helper(user, obj.pk) == obj


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_visible_to_excludes_other_stores(agent, role_admin, superuser, store, other_store, model):
    mine, theirs = MAKERS[model](store), MAKERS[model](other_store)
    rows = model.objects.filter(pk__in=[mine.pk, theirs.pk])
    assert set(rows.visible_to(agent)) == {mine}
    assert set(rows.visible_to(role_admin)) == {mine, theirs}
    assert set(rows.visible_to(superuser)) == {mine, theirs}
    assert not rows.visible_to(AnonymousUser()).exists()


def test_user_without_stores_sees_nothing(store):
    lonely = UserFactory()
    TicketFactory(store=store)
    assert not Ticket.objects.visible_to(lonely).exists()
    assert not selectors.stores_for_user(lonely).exists()


def test_stores_for_user(agent, role_admin, store, other_store):
    assert list(selectors.stores_for_user(agent)) == [store]
    assert set(selectors.stores_for_user(role_admin)) == {store, other_store}
    assert not selectors.stores_for_user(AnonymousUser()).exists()


def test_library_templates_are_visible_to_every_signed_in_user(agent, other_agent):
    shared = ReplyTemplateFactory(store=None)
    assert shared in ReplyTemplate.objects.visible_to(agent)
    assert shared in ReplyTemplate.objects.visible_to(other_agent)
    assert shared not in ReplyTemplate.objects.visible_to(AnonymousUser())


def test_library_template_texts_are_visible_to_agents(agent):
    body = TemplateBodyFactory(template__store=None)
    assert body in TemplateBody.objects.visible_to(agent)


def test_unread_alerts_are_the_user_own(agent, supervisor):
    mine = AlertReceiptFactory(user=agent)
    AlertReceiptFactory(alert=mine.alert, user=supervisor)
    assert list(selectors.unread_alerts_for_user(agent)) == [mine]
