"""Tickets and their message threads."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.models import Message, Ticket
from tickets.services.tickets import ticket_assign, ticket_set_status

from .base import ReadOnlyInline, ScopedModelAdmin, WorkflowAdminMixin, WorkflowForm, scoped_filter

NOT_IN_STORE_TEAM = _("%(user)s does not work for store %(store)s.")


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


@admin.register(Message)
class MessageAdmin(ScopedModelAdmin):
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
