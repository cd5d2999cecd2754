"""Stores and their calendars, the people who work for them, and their buyers."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from tickets.choices import Role
from tickets.models import Buyer, Store, StoreHoliday, User

from .base import ScopedModelAdmin, ScopedTabularInline, StoreScopedMixin, scoped_filter, users_visible_to


class StoreHolidayInline(ScopedTabularInline):
    model = StoreHoliday
    fields = ("date", "name")


@admin.register(Store)
class StoreAdmin(ScopedModelAdmin):
    list_display = ("code", "name", "marketplace", "timezone", "default_language", "work_start", "work_end",
                    "working_days", "holiday_country", "is_active")
    list_filter = ("marketplace", "is_active", "timezone")
    search_fields = ("code", "name")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "marketplace", "is_active")}),
        (_("Working calendar"), {"fields": ("timezone", "work_start", "work_end", "working_days",
                                           "holiday_country", "default_language")}),
        (_("History"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (StoreHolidayInline,)

    # A store's own staff may edit its calendar; only those who see every store
    # (admins) open or remove stores.
    def has_add_permission(self, request):
        return request.user.sees_all_stores and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.sees_all_stores and super().has_delete_permission(request, obj)


@admin.register(User)
class UserAdmin(StoreScopedMixin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "role", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", scoped_filter("stores"))
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Desk"), {"fields": ("role", "stores")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Desk"), {"fields": ("role", "stores")}),
    )
    filter_horizontal = ("stores", "groups", "user_permissions")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.sees_all_stores:
            return queryset
        # Their team only; people who see every store are not theirs to edit.
        return users_visible_to(request.user, queryset).exclude(is_superuser=True).exclude(role=Role.ADMIN)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Nobody grants rights they may not hold themselves.
            readonly += ["is_superuser", "groups", "user_permissions"]
        if (obj is not None and not request.user.sees_all_stores
                and obj.stores.exclude(pk__in=request.user.stores.all()).exists()):
            # Saving a store list that hides some of the user's stores would drop them.
            readonly.append("stores")
        return readonly

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.sees_all_stores:
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value != Role.ADMIN]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Buyer)
class BuyerAdmin(ScopedModelAdmin):
    list_display = ("name", "platform_buyer_id", "store", "country", "language", "email", "created_at")
    list_filter = (scoped_filter("store"), "country")
    list_select_related = ("store",)
    search_fields = ("name", "platform_buyer_id", "email")
    autocomplete_fields = ("store",)
    readonly_fields = ("created_at", "updated_at")
