"""What every admin of the desk shares: store scoping and status changes through the services.

Two rules hold for every page here:

1. A user who does not see all stores only ever sees, picks or filters by rows of
   their own stores. ``get_queryset`` is scoped, so another store's object is simply
   not found (Django answers with a redirect to the index and a "doesn't exist" note).
2. A status never changes by a plain ``save()``. The change form checks the move with
   ``workflow.check_transition`` while validating, saves the other fields without the
   status, then calls the object's service, which applies the move with a conditional
   update and writes the audit row.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from tickets.choices import Role
from tickets.services import workflow
from tickets.services.audit import audit_record

REASON_LABEL = _("Why (kept in the audit trail)")
CAN_GO_TO = _("Can go to: %(statuses)s.")
IS_FINAL = _("This status is final.")
CHANGED_MEANWHILE = _("This %(object)s was changed by someone else meanwhile; reload it and try again.")


# Scoping ---------------------------------------------------------------------------
def users_visible_to(user, queryset=None):
    """The people a user may see and pick: the team of their stores, plus the admins
    (they work for every store, so a ticket may be assigned to one of them)."""
    queryset = get_user_model()._default_manager.all() if queryset is None else queryset
    if user.sees_all_stores:
        return queryset
    team = get_user_model()._default_manager.filter(stores__in=user.stores.all()).values("pk")
    # pk__in a subquery rather than a join, so the result needs no distinct() (which
    # would break the admin's bulk delete).
    return queryset.filter(Q(pk__in=team) | Q(is_superuser=True) | Q(role=Role.ADMIN))


def scope(queryset, user):
    """``queryset`` narrowed to what ``user`` may see."""
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    if queryset.model is get_user_model():
        return users_visible_to(user, queryset)
    return queryset


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-object filter (store, assignee...) that offers only the objects the
    user may see: the plain one would list every store's name to everybody."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        visible = scope(field.related_model._default_manager.all(), request.user)
        return field.get_choices(include_blank=False, ordering=ordering,
                                 limit_choices_to=Q(pk__in=visible.values("pk")))


class StoreScopedMixin:
    """Scopes the rows of a ModelAdmin or inline, and the choices of its related fields,
    to the user's stores."""

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = scope(formfield.queryset, request.user)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = scope(formfield.queryset, request.user)
        return formfield


class ScopedModelAdmin(StoreScopedMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False  # a second COUNT(*) per page is wasted on large tables

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # An object never moves to another store: its order, buyer and clocks stay behind.
        if obj is not None and "store" not in readonly and any(f.name == "store" for f in self.model._meta.fields):
            readonly.append("store")
        return readonly


class ScopedTabularInline(StoreScopedMixin, admin.TabularInline):
    extra = 0


class ReadOnlyInline(ScopedTabularInline):
    """Shown for context on the parent's page; changed through its own page or service."""

    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdminMixin:
    """View-only: rows are written by the desk itself (the audit trail, heartbeats)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def scoped_filter(field_name):
    """A ``list_filter`` entry for a foreign key, limited to the user's stores."""
    return (field_name, ScopedRelatedFilter)


# Changes through services -------------------------------------------------------------
class ServiceRefused(Exception):
    """A service refused a change that passed form validation: someone else changed the
    object meanwhile, or a rule only the service knows. Carries the service's error."""

    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


class ServiceAdminMixin:
    """Turns a service's late refusal into an error message instead of a server error.
    The admin saves inside one transaction, so the whole change is rolled back."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as exc:
            self.message_user(request, " ".join(exc.error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class WorkflowForm(forms.ModelForm):
    """A change form whose status moves only through the object's service.

    On an existing object, ``clean()`` checks the move and takes the new status (and
    any ``service_fields``) out of ``cleaned_data`` into ``service_values``. The
    instance therefore keeps its stored status through model validation and the plain
    save; the admin then hands ``service_values`` to the service.
    """

    # Not "reason": a dispute has a model field of that name (why the buyer opened it).
    change_reason = forms.CharField(label=REASON_LABEL, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    # Other fields only a service writes, such as a ticket's assignee.
    service_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state_field = workflow.state_field(self._meta.model)
        self.service_values = {}
        self.stored_state = getattr(self.instance, self.state_field, None) if self.instance.pk else None
        if not self.instance.pk:
            return
        for name in self.guarded_fields:
            # The page also posts the value it showed, so that an edit made meanwhile
            # (by the sweep, the ERP, a colleague) is told apart from the user's own change.
            self.fields[name].show_hidden_initial = True
        field = self.fields.get(self.state_field)
        if field is not None:
            labels = dict(field.choices)
            allowed = workflow.allowed_next(self.instance)
            if allowed:
                separator = pgettext("list separator", ", ")
                field.help_text = CAN_GO_TO % {"statuses": separator.join(str(labels.get(s, s)) for s in allowed)}
            else:
                field.help_text = IS_FINAL

    @property
    def guarded_fields(self) -> list[str]:
        return [name for name in (self.state_field, *self.service_fields) if name in self.fields]

    def _user_changed(self, name) -> tuple[bool, bool]:
        """(the user changed ``name`` on the page, the stored value changed since the page was shown)."""
        field, stored = self.fields[name], self.initial.get(name)
        seen = self.data.get(self.add_initial_prefix(name))
        if seen is None:  # posted by something other than the page: compare with the stored value
            return field.has_changed(stored, self[name].data), False
        return name in self.changed_data, field.has_changed(stored, seen)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        values, errors = {}, {}
        for name in self.guarded_fields:
            changed, changed_meanwhile = self._user_changed(name)
            if not changed or name not in cleaned:
                continue
            if changed_meanwhile:
                errors[name] = CHANGED_MEANWHILE % {"object": self._meta.model._meta.verbose_name}
            values[name] = cleaned[name]
        try:
            if errors:
                raise ValidationError(errors)
            if self.state_field in values:
                workflow.check_transition(self.instance, values[self.state_field], current=self.stored_state)
            if values:
                self.check_service_rules(values, cleaned)
        except ValidationError as exc:
            self.add_error(None, exc)
            values = {}
        # Out of cleaned_data, so the instance keeps its stored values (through model
        # validation and the plain save) until the service runs.
        for name in self.guarded_fields:
            cleaned.pop(name, None)
        self.service_values = values
        return cleaned

    def check_service_rules(self, values: dict, cleaned: dict) -> None:
        """Raise the ValidationError the service would raise for ``values``, keyed by field."""


class WorkflowAdminMixin(ServiceAdminMixin):
    """Saves a WorkflowForm: plain fields by a partial save, the status by the service.

    Subclasses implement ``apply_services(request, obj, values, reason)``.
    """

    form = WorkflowForm

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        field = workflow.state_field(type(obj))
        if not change:
            super().save_model(request, obj, form, change)
            audit_record(subject=obj, actor=request.user, action="create", field=field,
                         to_value=getattr(obj, field), reason=reason)
            return
        # Only the fields the user changed, never the status: a full save would write back
        # a status (or refunded total) that a service or the sweep changed meanwhile.
        concrete = {f.name for f in obj._meta.concrete_fields}
        skip = {field, *form.service_fields}
        update_fields = [name for name in form.changed_data if name in concrete and name not in skip]
        if update_fields:
            if "updated_at" in concrete:
                update_fields.append("updated_at")
            obj.save(update_fields=update_fields)
        if form.service_values:
            try:
                self.apply_services(request, obj, form.service_values, reason)
            except ValidationError as exc:
                raise ServiceRefused(exc) from exc

    def apply_services(self, request, obj, values: dict, reason: str) -> None:
        raise NotImplementedError


def adopt(obj, created) -> None:
    """Make the admin's unsaved ``obj`` the row a service created, so the admin's
    log entry, message and redirect name it."""
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = created._state.db


class CreateThroughServiceMixin(ServiceAdminMixin):
    """An add page whose object a service creates, so that the clocks its creation
    starts or meets are started or met, and the audit trail says so.

    The add page shows ``add_form`` with ``add_fieldsets``: only what the service takes
    (a new object's status, times and derived fields are the service's business).
    ``add_form.clean()`` checks what the service would refuse, so the refusal shows on
    its field; the service checks again and stays the authority (a late refusal shows
    as an error message, the whole change rolled back). Change pages are untouched.
    """

    add_form: type[forms.ModelForm] | None = None
    add_fieldsets: tuple | None = None

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and self.add_form is not None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None and self.add_fieldsets is not None:
            return self.add_fieldsets
        return super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = self.create_through_service(request, form.cleaned_data)
        except ValidationError as exc:
            raise ServiceRefused(exc) from exc
        adopt(obj, created)

    def create_through_service(self, request, data: dict):
        """Create the object from the add form's ``data`` through its service and return it."""
        raise NotImplementedError
