"""Exchange rates into the desk currency, set by admins and supervisors; every change
goes through ``rate_set`` and is audited."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tickets.models import ExchangeRate
from tickets.services.rates import RATE_OF_DESK_CURRENCY, rate_set

from .base import REASON_LABEL, ServiceAdminMixin


class ExchangeRateForm(forms.ModelForm):
    change_reason = forms.CharField(label=REASON_LABEL, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = ExchangeRate
        fields = ("currency", "rate")

    def clean_currency(self):
        currency = (self.cleaned_data.get("currency") or "").strip().upper()
        if currency == settings.DESK_CURRENCY:
            raise ValidationError(RATE_OF_DESK_CURRENCY, params={"currency": currency})
        return currency


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ExchangeRateForm
    list_display = ("currency", "rate", "in_desk_currency", "updated_by", "updated_at")
    search_fields = ("currency",)
    readonly_fields = ("updated_by", "updated_at")

    @admin.display(description=_("one unit is worth"))
    def in_desk_currency(self, obj):
        return f"{obj.rate.normalize()} {settings.DESK_CURRENCY}"

    def get_readonly_fields(self, request, obj=None):
        # A rate keeps its currency; a new currency is a new row.
        return (*self.readonly_fields, "currency") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # a missing rate silently changes the queue's order; change it instead

    def save_model(self, request, obj, form, change):
        saved = rate_set(currency=obj.currency, rate=form.cleaned_data["rate"], actor=request.user,
                         reason=form.cleaned_data.get("change_reason", ""))
        obj.pk, obj.updated_by, obj.updated_at = saved.pk, saved.updated_by, saved.updated_at
