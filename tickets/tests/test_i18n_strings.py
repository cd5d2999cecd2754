"""Strings a translator can translate well: one English word with two meanings has two
entries (by context), sentences are whole with named placeholders, lists and colons
are part of the translated text, and emails go out in the desk's configured language.

The Chinese checks need the compiled catalogue (`make messages`), like test_i18n."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import pgettext

from tickets.choices import ClockKind, ProposalStatus, Role, TicketStatus
from tickets.models import AlertDelivery, AuditEntry, Clock, DisputeProposal, Ticket
from tickets.services.clocks import (
    clock_explanation,
    clock_explanation_lines,
    clock_start_for,
    lapse_consequence,
)
from tickets.services.delivery import delivery_attempt
from tickets.services.messages import message_receive
from tickets.services.workflow import InvalidTransition, check_transition

from .factories import (
    T0,
    AlertFactory,
    AlertReceiptFactory,
    ClockFactory,
    DisputeFactory,
    StoreHolidayFactory,
    TicketFactory,
)

CATALOG = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
needs_mo = pytest.mark.skipif(not CATALOG.exists(), reason="run `make messages` to compile locale/zh_Hans")


def zh(text: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return pgettext(context, text) if context else translation.gettext(text)


def field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def dispute_clock(store):
    ticket = TicketFactory(store=store)
    dispute = DisputeFactory(store=store, order=ticket.order, ticket=ticket, requested_amount=Decimal("12.50"))
    return clock_start_for(kind=ClockKind.DISPUTE_RESPONSE, subject=dispute, started_at=T0, actor="test",
                           start_event="dispute.opened_at", amount_at_stake=Decimal("12.50"), currency="USD")


def unsaved_clock(**basis) -> Clock:
    """A clock that is only explained: no store loaded, so its basis gives the zone."""
    return Clock(kind=ClockKind.FIRST_RESPONSE, started_at=T0, due_at=T0 + dt.timedelta(hours=3), basis=basis)


# One English word, two meanings ------------------------------------------------------------------
@needs_mo
def test_words_with_two_meanings_have_two_translations():
    with translation.override("zh-hans"):
        assert pgettext("navigation link to the admin site", "Admin") == "管理后台"
        assert str(Role.ADMIN.label) == "管理员"
        assert (field_label(AuditEntry, "from_value"), field_label(AuditEntry, "to_value")) == ("原值", "新值")
        assert field_label(DisputeProposal, "party") == "提出方"
        assert field_label(AlertDelivery, "target") == "接收方"
        assert field_label(Ticket, "subject") == "主题"
        assert field_label(Clock, "subject_key") == "对象"
        assert str(ProposalStatus.PENDING.label) == "待处理"
        assert str(AlertDelivery.Status.PENDING.label) == "待发送"


def test_the_english_words_stay_the_same():
    assert str(Role.ADMIN.label) == "Admin"
    assert (field_label(AuditEntry, "from_value"), field_label(DisputeProposal, "party")) == ("from", "from")
    assert (field_label(AuditEntry, "to_value"), field_label(AlertDelivery, "target")) == ("to", "to")
    assert field_label(Ticket, "subject") == field_label(Clock, "subject_key") == "subject"
    assert str(ProposalStatus.PENDING.label) == str(AlertDelivery.Status.PENDING.label) == "Pending"


@needs_mo
def test_chinese_pages_use_each_meaning(client, admin_user, store):
    ticket = TicketFactory(store=store, subject="Broken lamp")
    ClockFactory(store=store, dispute=None, ticket=ticket)
    client.force_login(admin_user)
    client.post("/i18n/setlang/", {"language": "zh-hans"})

    home = client.get("/").content.decode()
    assert ">管理后台</a>" in home
    assert "admin · 管理员" in home  # the user's role beside the name
    assert "<th>主题</th>" in client.get("/tickets/").content.decode()
    assert "<th>对象</th>" in client.get("/clocks/").content.decode()
    assert "<th>对象</th>" in client.get("/alerts/").content.decode()


# Colons and lists in templates ------------------------------------------------------------------
def test_ticket_page_in_english_keeps_its_colons_and_commas(agent_client, store):
    ticket = TicketFactory(store=store, status=TicketStatus.ESCALATED)
    html = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Status: <strong" in html
    assert "Assignee: — ·" in html
    assert "Allowed next: Open, Resolved, Waiting on buyer</p>" in html


@needs_mo
def test_ticket_page_in_chinese_uses_chinese_colons_and_list_commas(agent_client, store):
    ticket = TicketFactory(store=store, status=TicketStatus.ESCALATED)
    ClockFactory(store=store, dispute=None, ticket=ticket)
    agent_client.post("/i18n/setlang/", {"language": "zh-hans"})
    html = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "状态： <strong" in html
    assert "处理人： " in html
    with translation.override("zh-hans"):
        allowed = "、".join(str(TicketStatus(s).label) for s in ("open", "resolved", "waiting_on_buyer"))
    assert f"可变更为： {allowed}</p>" in html
    assert "若逾期：</span>" in html
    assert "排序方式：" in agent_client.get("/clocks/").content.decode()


@needs_mo
def test_refused_transition_lists_the_allowed_statuses_with_a_translated_separator(store):
    ticket = TicketFactory(store=store, status=TicketStatus.ESCALATED)
    with pytest.raises(InvalidTransition) as english:
        check_transition(ticket, TicketStatus.CLOSED)
    assert "From “Escalated” it can go to: “Open”, “Resolved”, “Waiting on buyer”." in english.value.messages[0]
    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as chinese:
        check_transition(ticket, TicketStatus.CLOSED)
    assert "”、“" in chinese.value.messages[0]
    assert ", " not in chinese.value.messages[0]


# Clock explanations ---------------------------------------------------------------------------
def test_explanation_is_whole_sentences_in_the_store_zone(store):
    clock = dispute_clock(store)
    lines = clock_explanation_lines(clock)
    assert lines == [
        "AliExpress policy, version 1: 24 h.",
        "Started by “Dispute opened” at 2025-03-10 16:00 (Asia/Shanghai), the time the platform gives.",
        "Elapsed time, counted in UTC; the store's zone is Asia/Shanghai.",
        "Due 2025-03-11 16:00 (Asia/Shanghai).",
    ]
    # The API's text: the same sentences, one per line.
    assert clock_explanation(clock) == "\n".join(lines)


@needs_mo
def test_explanation_in_chinese(store):
    clock = dispute_clock(store)
    with translation.override("zh-hans"):
        lines = clock_explanation_lines(clock)
    assert lines == [
        "时限规则：速卖通，第 1 版，24 小时。",
        "自“买家发起纠纷”起计时，平台记录的时间为 2025-03-10 16:00（Asia/Shanghai）。",
        "按自然时间（UTC）计算；店铺时区为 Asia/Shanghai。",
        "截止时间：2025-03-11 16:00（Asia/Shanghai）。",
    ]


def test_working_hours_explanation_says_the_calendar_in_words(store):
    store.holiday_country = "CN"
    store.save()
    StoreHolidayFactory(store=store, date=dt.date(2025, 3, 14))
    message = message_receive(ticket=TicketFactory(store=store), body="Where is my parcel?", sent_at=T0, actor="erp")
    clock = Clock.objects.get(kind=ClockKind.FIRST_RESPONSE, message=message)
    assert clock_explanation_lines(clock) == [
        "AliExpress policy, version 1.",
        "Started by “Buyer message received” at 2025-03-10 16:00 (Asia/Shanghai), the time the platform gives.",
        "Received inside working hours: 3 working hours to answer, never more than 24 h in all.",
        "Working hours: Monday to Friday, 09:00–22:00 (Asia/Shanghai).",
        "Public holidays of CN are days off.",
        "Its make-up working days (weekend days worked in exchange) are working days.",
        "The store has 1 more day off.",
        "Due 2025-03-10 19:00 (Asia/Shanghai).",  # 16:00 + 3 working hours
    ]


def test_an_explanation_names_the_holidays_it_skipped_and_long_lengths_in_days(store):
    store.holiday_country = "CN"
    store.save()
    national_day_eve = dt.datetime(2026, 9, 30, 13, 59, 30, tzinfo=dt.UTC)  # 21:59:30 in Shanghai
    message = message_receive(ticket=TicketFactory(store=store), body="Where is my parcel?", sent_at=national_day_eve,
                              actor="erp")
    lines = clock_explanation_lines(Clock.objects.get(kind=ClockKind.FIRST_RESPONSE, message=message))
    assert "at 2026-09-30 21:59:30 (Asia/Shanghai)" in lines[1]  # to the second
    assert any(line.startswith("Days off on the way: 2026-10-01 National Day") for line in lines), lines
    receipt = unsaved_clock(policy_version=1, marketplace="aliexpress",
                            length_hours=720.0)
    assert clock_explanation_lines(receipt)[0] == "AliExpress policy, version 1: 30 days."


@needs_mo
def test_working_hours_explanation_in_chinese():
    clock = unsaved_clock(received_in_working_hours=False, allowance_hours=6.0, cap_hours=24.0, capped=True,
                          calendar="Europe/Berlin, days 135, 08:00-17:00 +2 store days off", timezone="Europe/Berlin")
    with translation.override("zh-hans"):
        lines = clock_explanation_lines(clock)
    assert lines == [
        "在非工作时间收到：自下一个工作时段开始，须在 6 个工作小时内回复，最长不超过 24 小时。",
        "已按上限计算。",
        "工作时间：星期一、星期三、星期五 08:00–17:00（Europe/Berlin）。",
        "店铺另有 2 天休息日。",
        "截止时间：2025-03-10 12:00（Europe/Berlin）。",
    ]


def test_explanation_keeps_what_it_cannot_name():
    # An event code with no label, and a calendar recorded in another form, are shown as stored.
    clock = unsaved_clock(start_event="ticket.test_at", received_in_working_hours=True, allowance_hours=3.0,
                          cap_hours=24.0, calendar="somewhere, always")
    assert clock_explanation_lines(clock) == [
        "Started by “ticket.test_at” at 2025-03-10 08:00 (UTC), the time the platform gives.",
        "Received inside working hours: 3 working hours to answer, never more than 24 h in all.",
        "Store calendar: somewhere, always.",
        "Due 2025-03-10 11:00 (UTC).",
    ]


def test_explanation_uses_the_store_zone_when_the_store_is_loaded(store, other_store):
    other_store.timezone = "America/New_York"
    other_store.save()
    clock = ClockFactory(store=other_store)  # no basis
    assert clock_explanation_lines(Clock.objects.select_related("store").get(pk=clock.pk)) == [
        "Due 2025-03-11 04:00 (America/New_York)."]
    assert clock_explanation_lines(Clock.objects.get(pk=clock.pk)) == ["Due 2025-03-11 08:00 (UTC)."]


@pytest.mark.parametrize(("kind", "text"), [
    (ClockKind.DISPUTE_RESPONSE, "Dispute lost by default: the buyer's refund executes."),
    (ClockKind.REFUND_DECISION, "The platform refunds the amount the buyer asked for."),
    (ClockKind.RETURN_SHIPMENT, "The return lapses and the amount is released to the seller."),
    (ClockKind.RECEIPT_CONFIRMATION, "The return counts as received and the buyer is refunded."),
])
def test_a_lapse_with_no_known_amount_is_its_own_sentence(kind, text):
    assert lapse_consequence(Clock(kind=kind, amount_at_stake=None)) == text


# Email ---------------------------------------------------------------------------------------
@pytest.fixture
def email_delivery(store, agent, settings):
    settings.ALERT_WEBHOOK_URL = ""
    alert = AlertFactory(clock__store=store, text="Warning: dispute_response on D1")
    AlertReceiptFactory(alert=alert, user=agent)
    return AlertDelivery.objects.create(alert=alert, channel=AlertDelivery.Channel.EMAIL, target="agent@example.com")


@needs_mo
def test_email_is_in_the_configured_language_not_the_worker_one(email_delivery, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    translation.activate("en")  # the worker thread happens to speak English
    assert delivery_attempt(delivery=email_delivery)
    message = mail.outbox[-1]
    assert message.subject == "[ae-main] 预警：纠纷响应"
    assert "查看提醒：" in message.body
    assert translation.get_language() == "en"


@needs_mo
def test_email_stays_english_when_the_desk_is_english(email_delivery, settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("zh-hans"):
        assert delivery_attempt(delivery=email_delivery)
    message = mail.outbox[-1]
    assert message.subject == "[ae-main] Warning: Dispute response"
    assert message.body.startswith("Warning: Dispute response on ")
    assert "\n\nIf it lapses: " in message.body
