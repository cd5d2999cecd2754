"""Exchange rates into the desk currency: set through one audited service, in the admin."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tickets.models import AuditEntry, ExchangeRate
from tickets.services.rates import rate_set, rates_missing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def desk_in_dollars(settings):
    settings.DESK_CURRENCY = "USD"


def test_setting_a_rate_twice_changes_it_and_audits_both(supervisor):
    rate_set(currency="eur", rate="1.08", actor=supervisor)
    rate_set(currency="EUR", rate=Decimal("1.10"), actor=supervisor, reason="monthly update")

    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.rate, rate.updated_by) == ("EUR", Decimal("1.10000000"), supervisor)
    entries = AuditEntry.objects.filter(action="rate").order_by("pk")
    assert [(e.from_value, e.to_value) for e in entries] == [("", "1.08"), ("1.08", "1.1")]
    assert entries[1].reason == "monthly update"


@pytest.mark.parametrize(("currency", "rate", "field"), [
    ("EUR", "0", "rate"), ("EUR", "-1", "rate"), ("EUR", "abc", "rate"), ("EUR", "NaN", "rate"),
    ("EURO", "1", "currency"), ("", "1", "currency"), ("USD", "1", "currency"),
])
def test_a_bad_rate_is_refused_on_its_field(supervisor, currency, rate, field):
    with pytest.raises(ValidationError) as exc:
        rate_set(currency=currency, rate=rate, actor=supervisor)
    assert field in exc.value.message_dict
    assert not ExchangeRate.objects.exists()


def test_missing_rates_leave_out_the_desk_currency_and_known_ones(supervisor):
    rate_set(currency="EUR", rate="1.08", actor=supervisor)
    assert rates_missing({"USD", "EUR", "JPY", "GBP", ""}) == ["GBP", "JPY"]


def test_a_supervisor_sets_a_rate_in_the_admin_and_a_bad_one_is_a_field_error(supervisor_client, supervisor):
    url = reverse("admin:tickets_exchangerate_add")
    bad = supervisor_client.post(url, {"currency": "GBP", "rate": "0"})
    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors["rate"] == ["A rate must be more than zero."]
    desk = supervisor_client.post(url, {"currency": "usd", "rate": "1"})
    assert "currency" in desk.context["adminform"].form.errors

    response = supervisor_client.post(url, {"currency": "gbp", "rate": "1.27", "change_reason": "bank rate"})

    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.rate, rate.updated_by) == ("GBP", Decimal("1.27"), supervisor)
    assert AuditEntry.objects.get(action="rate").reason == "bank rate"
    change = supervisor_client.post(reverse("admin:tickets_exchangerate_change", args=[rate.pk]), {"rate": "1.30"})
    assert change.status_code == 302
    assert ExchangeRate.objects.get().rate == Decimal("1.30")
    assert AuditEntry.objects.filter(action="rate").count() == 2
