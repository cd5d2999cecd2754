"""API keys: created through the service (the raw key is shown once), revoked, never edited into another secret.

Those who see every store manage every key. A store's supervisor (with the model
permissions) sees and manages only keys limited to their own stores, and cannot
make an admin key.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.models import ApiKey, Store
from tickets.services.api_keys import api_key_create, api_key_revoke

from .base import CreateThroughServiceMixin, ScopedModelAdmin, scoped_filter

KEY_SHOWN_ONCE = _("The API key for %(name)s is %(key)s — copy it now: it is stored only as a hash and "
                   "cannot be shown again.")


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("name", "stores", "is_admin", "expires_at")


@admin.register(ApiKey)
class ApiKeyAdmin(CreateThroughServiceMixin, ScopedModelAdmin):
    list_display = ("name", "prefix", "store_codes", "is_admin", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("is_admin", scoped_filter("stores"))
    search_fields = ("name", "prefix")
    filter_horizontal = ("stores",)
    fields = ("name", "prefix", "stores", "is_admin", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "revoked_at", "last_used_at")
    add_form = ApiKeyAddForm
    add_fieldsets = ((None, {"fields": ("name", "stores", "is_admin", "expires_at")}),)
    actions = ("revoke",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("stores")
        user = request.user
        if user.sees_all_stores:
            return queryset
        # Only keys confined to the user's stores: editing one that also reaches
        # another store would drop that store (it is not offered on the form).
        mine = ApiKey.objects.filter(stores__in=user.stores.all()).values("pk")
        foreign = ApiKey.objects.filter(stores__in=Store.objects.exclude(pk__in=user.stores.all())).values("pk")
        return queryset.filter(Q(pk__in=mine), ~Q(pk__in=foreign), is_admin=False)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.sees_all_stores:
            readonly.append("is_admin")  # managing stores is for those who see every store
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit trail keeps naming the key

    @admin.display(description=_("stores"))
    def store_codes(self, key):
        return ", ".join(store.code for store in key.stores.all())

    def create_through_service(self, request, data: dict):
        key, raw = api_key_create(name=data["name"], stores=data["stores"],
                                  is_admin=bool(data.get("is_admin")) and request.user.sees_all_stores,
                                  expires_at=data.get("expires_at"), actor=request.user)
        self.message_user(request, KEY_SHOWN_ONCE % {"name": key.name, "key": raw}, messages.SUCCESS)
        return key

    @admin.action(description=_("Revoke the selected API keys"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(key=key, actor=request.user, reason="revoked in the admin")
            revoked += 1
        self.message_user(request, ngettext("%(count)d API key revoked.", "%(count)d API keys revoked.",
                                            revoked) % {"count": revoked}, messages.SUCCESS)
