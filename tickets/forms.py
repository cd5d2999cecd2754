"""Forms of the agent pages. They parse input; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.choices import TicketStatus


class TicketStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=TicketStatus.choices)
    reason = forms.CharField(label=_("Why"), max_length=500, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("Reason for the audit trail")}))
