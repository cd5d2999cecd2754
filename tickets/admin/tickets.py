"""Tickets and their message threads. A new message is recorded by the service of
its kind, which starts the first-response clock (a buyer's message) or meets it (an
agent's written reply)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.choices import MessageKind
from tickets.models import Message, Ticket
from tickets.services.messages import message_note, message_receive, message_reply
from tickets.services.tickets import ticket_assign, ticket_set_status

from .base import (
    CreateThroughServiceMixin,
    ReadOnlyInline,
    ScopedModelAdmin,
    WorkflowAdminMixin,
    WorkflowForm,
    scoped_filter,
)

NOT_IN_STORE_TEAM = _("%(user)s does not work for store %(store)s.")
SYSTEM_LINES = _("System lines are written by the desk itself; add a buyer message, an agent reply or an "
                 "internal note.")
NOT_FOR_KIND = _("Not recorded for “%(kind)s”: leave it empty.")
MESSAGE_ID_TAKEN = _("Store %(store)s already has a message with this platform id.")
SENT_AT_HELP = _("A buyer's message: the platform's time, which starts the first-response clock. An agent "
                 "reply: when it was sent. An internal note is stamped when saved.")
AUTHOR_HELP = _("An agent reply or internal note: you, unless you pick someone else. A buyer's message has none.")


class MessageInline(ReadOnlyInline):
    """The thread, for context. Messages are written from the desk, where a reply
    also meets the first-response clock."""

    model = Message
    fields = ("sent_at", "kind", "author", "excerpt", "is_automatic")
    readonly_fields = fields
    ordering = ("sent_at", "pk")

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(160)


class TicketAdminForm(WorkflowForm):
    # Assignment goes through ticket_assign, which checks the store's team and audits it.
    service_fields = ("assignee",)

    def check_service_rules(self, values, cleaned):
        assignee = values.get("assignee")
        store = self.instance.store
        if assignee is not None and not (assignee.sees_all_stores
                                         or assignee.stores.filter(pk=store.pk).exists()):
            raise ValidationError({"assignee": NOT_IN_STORE_TEAM % {"user": assignee.get_username(),
                                                                    "store": store.code}})


@admin.register(Ticket)
class TicketAdmin(WorkflowAdminMixin, ScopedModelAdmin):
    form = TicketAdminForm
    list_display = ("id", "subject", "store", "order", "priority", "status", "assignee", "updated_at")
    list_display_links = ("id", "subject")
    list_filter = (scoped_filter("store"), "status", "priority", "category", scoped_filter("assignee"))
    list_select_related = ("store", "order", "assignee")
    search_fields = ("subject", "order__order_number", "buyer__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("store", "order", "buyer", "assignee")
    readonly_fields = ("resolved_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("store", "subject", "order", "buyer", "language")}),
        (_("Work"), {"fields": ("category", "priority", "status", "assignee", "change_reason")}),
        (_("Times"), {"fields": ("last_buyer_message_at", "first_replied_at", "resolved_at", "created_at",
                                 "updated_at")}),
    )
    inlines = (MessageInline,)
    actions = ("assign_to_me",)

    def apply_services(self, request, obj, values, reason):
        if "assignee" in values:
            ticket_assign(ticket=obj, assignee=values["assignee"], actor=request.user, reason=reason)
        if "status" in values:
            ticket_set_status(ticket=obj, status=values["status"], actor=request.user, reason=reason)

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        assigned, refused = 0, []
        for ticket in queryset.select_related("store", "assignee"):
            try:
                ticket_assign(ticket=ticket, assignee=request.user, actor=request.user)
            except ValidationError as exc:
                refused.extend(exc.messages)
            else:
                assigned += 1
        if assigned:
            self.message_user(request, ngettext("%(count)d ticket assigned to you.",
                                                "%(count)d tickets assigned to you.", assigned) % {"count": assigned},
                              messages.SUCCESS)
        for message in dict.fromkeys(refused):
            self.message_user(request, message, messages.WARNING)


class MessageAddForm(forms.ModelForm):
    """A new message, recorded by the service of its kind: ``message_receive`` (a
    buyer's message), ``message_reply`` (an agent reply) or ``message_note``."""

    # The optional fields each kind's service records; any other must stay empty.
    RECORDED = {
        MessageKind.BUYER: {"external_id", "language"},
        MessageKind.AGENT_REPLY: {"author", "is_automatic", "language"},
        MessageKind.INTERNAL_NOTE: {"author"},
    }
    OPTIONAL = ("author", "external_id", "is_automatic", "language")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields.get("kind")
        if kind is not None:
            kind.choices = [(value, label) for value, label in kind.choices if value != MessageKind.SYSTEM]
            kind.error_messages["invalid_choice"] = SYSTEM_LINES
        for name, help_text in (("sent_at", SENT_AT_HELP), ("author", AUTHOR_HELP)):
            if name in self.fields:
                self.fields[name].help_text = help_text

    def clean(self):
        cleaned = super().clean()
        ticket, kind = cleaned.get("ticket"), cleaned.get("kind")
        if ticket is not None:
            # As the services do, before the model's checks run.
            self.instance.store_id = ticket.store_id
        if kind not in self.RECORDED:
            return cleaned
        for name in self.OPTIONAL:
            if name not in self.RECORDED[kind] and cleaned.get(name):
                self.add_error(name, NOT_FOR_KIND % {"kind": MessageKind(kind).label})
        external_id = cleaned.get("external_id")
        # message_receive would hand back the stored message rather than refuse: say so here.
        if (ticket is not None and external_id
                and Message.objects.filter(store_id=ticket.store_id, external_id=external_id).exists()):
            self.add_error("external_id", MESSAGE_ID_TAKEN % {"store": ticket.store.code})
        return cleaned


@admin.register(Message)
class MessageAdmin(CreateThroughServiceMixin, ScopedModelAdmin):
    add_form = MessageAddForm
    add_fieldsets = (
        (None, {"fields": ("ticket", "kind", "author", "body", "language")}),
        (_("Platform"), {"fields": ("sent_at", "external_id", "is_automatic")}),
    )
    list_display = ("id", "ticket", "kind", "author", "excerpt", "is_automatic", "sent_at", "store")
    list_filter = (scoped_filter("store"), "kind", "is_automatic")
    list_select_related = ("store", "ticket", "author")
    search_fields = ("body", "external_id", "ticket__subject")
    date_hierarchy = "sent_at"
    autocomplete_fields = ("store", "ticket", "author")
    readonly_fields = ("created_at",)

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    def create_through_service(self, request, data):
        ticket, kind, body = data["ticket"], data["kind"], data["body"]
        if kind == MessageKind.BUYER:
            return message_receive(ticket=ticket, body=body, sent_at=data["sent_at"], actor=request.user,
                                   language=data.get("language", ""), external_id=data.get("external_id", ""))
        author = data.get("author") or request.user
        if kind == MessageKind.AGENT_REPLY:
            return message_reply(ticket=ticket, author=author, body=body, actor=request.user,
                                 is_automatic=data.get("is_automatic", False), sent_at=data.get("sent_at"),
                                 language=data.get("language", ""))
        return message_note(ticket=ticket, author=author, body=body)
