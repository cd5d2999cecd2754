"""Webhook subscriptions and deliveries over the API and in the admin: a key manages
the subscriptions of its stores only (another store's is a 404, another store's code
a 400 on ``store``), the secret is shown once, bad input is a 400 naming the field,
and every delivery attempt with its status code is visible."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tickets.choices import Role
from tickets.models import AuditEntry, WebhookAttempt, WebhookDelivery, WebhookSubscription
from tickets.services.api_keys import api_key_create

from .factories import T0, UserFactory
from .test_webhooks import make_delivery, make_event, make_subscription

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"
DELIVERIES = "/api/v1/webhook-deliveries/"


@pytest.fixture
def api(client, store, admin_user):
    _, raw = api_key_create(name="erp-main", stores=[store], actor=admin_user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def create(api, **data):
    body = {"store": "ae-main", "url": "https://erp.example.com/hooks", "events": ["refund.recorded"], **data}
    return api.post(URL, body, content_type="application/json")


def with_attempts(delivery, *codes):
    for number, code in enumerate(codes, start=1):
        WebhookAttempt.objects.create(delivery=delivery, number=number, started_at=T0, finished_at=T0,
                                      status_code=code, ok=code < 300, error="" if code < 300 else f"HTTP {code}")
    return delivery


# Subscriptions ---------------------------------------------------------------------------------
def test_creating_returns_the_generated_secret_once(api, store):
    response = create(api, events=["ticket.replied", "refund.recorded", "refund.recorded"], description="ERP")
    assert response.status_code == 201, response.json()
    body = response.json()
    subscription = WebhookSubscription.objects.get()
    assert body["signing_secret"] == subscription.secret
    assert len(subscription.secret) >= 32
    assert (body["store"], body["events"]) == ("ae-main", ["refund.recorded", "ticket.replied"])
    assert "secret" not in body
    for answer in (api.get(URL).json()["results"][0], api.get(f"{URL}{subscription.pk}/").json()):
        assert "signing_secret" not in answer
        assert "secret" not in answer
        assert answer["url"] == "https://erp.example.com/hooks"
    entry = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(WebhookSubscription))
    assert (entry.action, entry.actor_label) == ("create", "api:erp-main")
    assert subscription.secret not in f"{entry.from_value} {entry.to_value} {entry.reason}"


def test_a_given_secret_is_kept(api):
    assert create(api, secret="my-own-secret").json()["signing_secret"] == "my-own-secret"


@pytest.mark.parametrize(("data", "field"), [
    ({"store": "ae-other"}, "store"),
    ({"store": "no-such-store"}, "store"),
    ({"url": "ftp://erp.example.com/hooks"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"events": []}, "events"),
    ({"events": ["order.shipped"]}, "events"),
    ({"events": "refund.recorded"}, "events"),
    ({"is_actve": False}, "is_actve"),  # misspelt: never an active subscription the caller meant to pause
])
def test_bad_input_is_a_400_naming_the_field(api, other_store, data, field):
    response = create(api, **data)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not WebhookSubscription.objects.exists()


def test_another_stores_subscription_is_a_404(api, other_store):
    theirs = make_subscription(other_store)
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.patch(f"{URL}{theirs.pk}/", {"is_active": False}, content_type="application/json").status_code == 404
    assert api.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert api.get(URL).json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.is_active


def test_updating_changes_the_fields_and_audits_them(api, store):
    mine = make_subscription(store)
    response = api.patch(f"{URL}{mine.pk}/", {"events": ["clock.breached"], "is_active": False, "store": "ae-other"},
                         content_type="application/json")
    assert response.status_code == 200, response.json()
    assert "signing_secret" not in response.json()
    mine.refresh_from_db()
    assert (mine.events, mine.is_active, mine.store) == (["clock.breached"], False, store)
    fields = set(AuditEntry.objects.filter(action="update").values_list("field", flat=True))
    assert fields == {"events", "is_active"}


def test_a_new_secret_is_kept_but_never_shown_or_audited(api, store):
    mine = make_subscription(store)
    response = api.patch(f"{URL}{mine.pk}/", {"secret": "rotated-secret"}, content_type="application/json")
    assert response.status_code == 200
    assert "rotated-secret" not in response.content.decode()
    mine.refresh_from_db()
    assert mine.secret == "rotated-secret"
    assert api.patch(f"{URL}{mine.pk}/", {"secret": ""}, content_type="application/json").status_code == 200
    mine.refresh_from_db()
    assert mine.secret == "rotated-secret"  # blank keeps it
    entry = AuditEntry.objects.get(action="update")
    assert (entry.field, entry.from_value, entry.to_value) == ("secret", "***", "***")


def test_a_bad_update_is_a_400_and_changes_nothing(api, store):
    mine = make_subscription(store)
    response = api.patch(f"{URL}{mine.pk}/", {"url": "javascript:alert(1)"}, content_type="application/json")
    assert response.status_code == 400
    assert "url" in response.json()
    mine.refresh_from_db()
    assert mine.url == "https://erp.example.com/hooks"


def test_deleting_removes_it_and_leaves_an_audit_entry(api, store):
    mine = make_subscription(store)
    assert api.delete(f"{URL}{mine.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert AuditEntry.objects.get(action="delete").from_value == mine.url


def test_an_agent_may_read_but_not_change_subscriptions(client, store):
    make_subscription(store)
    client.force_login(UserFactory(role=Role.AGENT, stores=[store]))
    assert client.get(URL).status_code == 200
    assert create(client).status_code == 403
    client.force_login(UserFactory(role=Role.SUPERVISOR, stores=[store]))
    assert create(client).status_code == 201


# Deliveries -------------------------------------------------------------------------------------
def test_deliveries_list_every_attempt_and_status_code(api, store):
    delivery = with_attempts(make_delivery(store), 500, 502, 200)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="sent", attempts=3, last_status_code=200)
    response = api.get(DELIVERIES, {"subscription": delivery.subscription_id})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["event"], row["status"], row["last_status_code"]) == (delivery.pk, "refund.recorded",
                                                                                 "sent", 200)
    assert [(a["number"], a["status_code"], a["ok"]) for a in row["attempt_log"]] == [
        (1, 500, False), (2, 502, False), (3, 200, True)]
    assert api.get(f"{DELIVERIES}{delivery.pk}/").json()["attempt_log"][0]["error"] == "HTTP 500"


def test_another_stores_deliveries_are_hidden(api, other_store):
    theirs = make_delivery(other_store)
    assert api.get(DELIVERIES).json()["results"] == []
    assert api.get(f"{DELIVERIES}{theirs.pk}/").status_code == 404
    assert api.post(f"{DELIVERIES}{theirs.pk}/retry/").status_code == 404


def test_retry_makes_a_given_up_delivery_due_now(api, store):
    delivery = with_attempts(make_delivery(store), 500)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="given_up", attempts=1, next_attempt_at=None)
    response = api.post(f"{DELIVERIES}{delivery.pk}/retry/")
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None


@pytest.mark.parametrize("endpoint", [URL, DELIVERIES])
def test_a_page_costs_the_same_queries_for_5_or_50_rows(api, store, endpoint, django_assert_num_queries):
    def fill(count):
        subscription = make_subscription(store)
        for _ in range(count):
            delivery = WebhookDelivery.objects.create(event=make_event(store), subscription=subscription)
            with_attempts(delivery, 500, 200)

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert api.get(endpoint).status_code == 200
        return len(captured)

    fill(5)
    api.get(endpoint)  # the key's first use of the minute writes its last-used time
    few = queries()
    fill(45)
    with django_assert_num_queries(few):
        api.get(endpoint)


# Admin ------------------------------------------------------------------------------------------
def test_adding_a_subscription_in_the_admin_shows_the_secret_once(admin_client, store):
    response = admin_client.post(reverse("admin:tickets_webhooksubscription_add"), {
        "store": store.pk, "url": "https://erp.example.com/a", "events": ["refund.recorded", "clock.breached"],
        "is_active": "on", "description": "", "new_secret": ""}, follow=True)
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["clock.breached", "refund.recorded"]
    assert subscription.secret in response.content.decode()
    assert AuditEntry.objects.filter(action="create", actor_label="admin").exists()
    page = admin_client.get(reverse("admin:tickets_webhooksubscription_change", args=[subscription.pk]))
    assert subscription.secret not in page.content.decode()


def test_the_admin_refuses_a_bad_url_on_its_field(admin_client, store):
    response = admin_client.post(reverse("admin:tickets_webhooksubscription_add"), {
        "store": store.pk, "url": "ftp://erp.example.com/a", "events": ["refund.recorded"], "new_secret": ""})
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not WebhookSubscription.objects.exists()


def test_the_admin_shows_attempts_and_retries_now(admin_client, store):
    delivery = with_attempts(make_delivery(store), 503)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="given_up", attempts=1, next_attempt_at=None)
    page = admin_client.get(reverse("admin:tickets_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert "HTTP 503" in page.content.decode()
    response = admin_client.post(reverse("admin:tickets_webhookdelivery_changelist"),
                                 {"action": "retry_now", "_selected_action": [delivery.pk]}, follow=True)
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at is not None) == ("failed", True)


def test_a_supervisor_sees_only_their_stores_subscriptions_in_the_admin(client, store, other_store):
    from django.contrib.auth.models import Permission

    supervisor = UserFactory(role=Role.SUPERVISOR, stores=[store], is_staff=True)
    supervisor.user_permissions.set(Permission.objects.filter(codename__endswith="webhooksubscription"))
    client.force_login(supervisor)
    make_subscription(store, url="https://mine.example.com/")
    theirs = make_subscription(other_store, url="https://theirs.example.com/")
    page = client.get(reverse("admin:tickets_webhooksubscription_changelist")).content.decode()
    assert "mine.example.com" in page
    assert "theirs.example.com" not in page
    response = client.get(reverse("admin:tickets_webhooksubscription_change", args=[theirs.pk]))
    assert response.status_code == 302  # "doesn't exist", back to the index


@pytest.mark.parametrize("model", [WebhookSubscription, WebhookDelivery])
def test_every_webhook_admin_page_loads(admin_client, store, model):
    with_attempts(make_delivery(store), 500)
    name = model._meta.model_name
    assert admin_client.get(reverse(f"admin:tickets_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:tickets_{name}_changelist"), {"q": "erp"}).status_code == 200
    add = admin_client.get(reverse(f"admin:tickets_{name}_add"))
    assert add.status_code == (200 if model is WebhookSubscription else 403)
    obj = model.objects.get()
    assert admin_client.get(reverse(f"admin:tickets_{name}_change", args=[obj.pk])).status_code == 200
