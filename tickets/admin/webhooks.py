"""ERP webhooks: subscriptions are edited here (through the services, so each change
is audited), deliveries and their attempts are read-only, with a "retry now" action.

The secret is shown once, in the message after adding a subscription; the change
page never shows it (a new one can be typed in, never read back).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tickets.models.webhooks import WebhookEventName
from tickets.services.webhooks import (
    webhook_delivery_retry,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_update,
)

from .base import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ScopedModelAdmin,
    ServiceAdminMixin,
    ServiceRefused,
    adopt,
    scoped_filter,
)

SECRET_SHOWN_ONCE = _("The signing secret of %(url)s is %(secret)s — copy it now to the receiving system.")
NEW_SECRET_HELP = _("Leave blank to generate one (when adding) or to keep the current one.")


class WebhookSubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(label=_("events"), choices=WebhookEventName.choices,
                                       widget=forms.CheckboxSelectMultiple)
    new_secret = forms.CharField(label=_("new signing secret"), required=False, max_length=128,
                                 help_text=NEW_SECRET_HELP)

    class Meta:
        model = WebhookSubscription
        fields = ("store", "url", "events", "is_active", "description")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ServiceAdminMixin, ScopedModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("url", "store", "event_names", "is_active", "created_at")
    list_filter = ("is_active", scoped_filter("store"))
    list_select_related = ("store",)
    search_fields = ("url", "description")
    fields = ("store", "url", "events", "is_active", "description", "new_secret", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("events"))
    def event_names(self, obj):
        return ", ".join(obj.events)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        values = {"url": data["url"], "events": data["events"], "is_active": data["is_active"],
                  "description": data["description"]}
        try:
            if change:
                stored = WebhookSubscription.objects.get(pk=obj.pk)
                webhook_subscription_update(subscription=stored, actor=request.user, secret=data["new_secret"],
                                            **values)
                saved = stored
            else:
                saved = webhook_subscription_create(store=data["store"], secret=data["new_secret"],
                                                    actor=request.user, **values)
        except ValidationError as exc:
            raise ServiceRefused(exc) from exc
        adopt(obj, saved)
        if not change:
            self.message_user(request, SECRET_SHOWN_ONCE % {"url": saved.url, "secret": saved.secret},
                              messages.WARNING)

    def delete_model(self, request, obj):
        webhook_subscription_delete(subscription=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            webhook_subscription_delete(subscription=subscription, actor=request.user)


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ("number", "started_at", "finished_at", "ok", "status_code", "error", "response_excerpt")
    readonly_fields = fields
    show_change_link = False  # attempts have no page of their own


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("created_at", "event", "subscription_url", "status", "attempts", "last_status_code",
                    "next_attempt_at", "sent_at")
    list_filter = ("status", scoped_filter("subscription__store"))
    list_select_related = ("event", "subscription")
    search_fields = ("subscription__url", "last_error")
    date_hierarchy = "created_at"
    fields = ("event", "subscription", "status", "attempts", "next_attempt_at", "last_status_code", "last_error",
              "sent_at", "created_at")
    readonly_fields = fields
    inlines = (WebhookAttemptInline,)
    actions = ("retry_now",)

    @admin.display(description=_("URL"))
    def subscription_url(self, obj):
        return obj.subscription.url

    @admin.action(description=_("Retry the selected deliveries now"), permissions=["view"])
    def retry_now(self, request, queryset):
        retried = sum(webhook_delivery_retry(delivery=delivery) for delivery in queryset)
        self.message_user(request, ngettext("%(count)d delivery will be retried now.",
                                            "%(count)d deliveries will be retried now.", retried)
                          % {"count": retried}, messages.SUCCESS)
