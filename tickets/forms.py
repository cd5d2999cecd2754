"""Forms of the agent pages. They parse input; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from templates_lib.compliance import MAX_TEXT
from templates_lib.models import TemplateBody
from tickets.choices import TicketStatus


class TicketStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=TicketStatus.choices)
    reason = forms.CharField(label=_("Why"), max_length=500, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("Reason for the audit trail")}))


class ReplyForm(forms.Form):
    """A reply to the buyer, maybe written from a template (``template_body``: the exact
    version it was rendered from, so the send is recorded against it)."""

    body = forms.CharField(label=_("Reply to the buyer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}))
    template_body = forms.ModelChoiceField(queryset=TemplateBody.objects.none(), required=False,
                                           widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_body"].queryset = TemplateBody.objects.visible_to(user)


class EscalateForm(forms.Form):
    """Hand the ticket to a senior agent, supervisor or admin of its store."""

    to = forms.ModelChoiceField(label=_("Senior agent"), queryset=None, empty_label=_("Choose…"))
    reason = forms.CharField(label=_("Why escalate"), max_length=500, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("What the senior agent should know")}))

    def __init__(self, *args, seniors=None, **kwargs):
        kwargs.setdefault("auto_id", "id_escalate_%s")  # the status form on the same page has a "reason" too
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = seniors
        self.fields["to"].label_from_instance = lambda user: f"{user.get_username()} ({user.get_role_display()})"


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Only your team sees this.")}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_note_%s")  # the reply form's field is "body" too
        super().__init__(*args, **kwargs)
