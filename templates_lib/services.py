"""Writes of the template library: create, edit (a new version per changed text), copy.

Every text is validated the same way wherever it comes from (admin, API, import,
the shipped library): placeholders must be in the registry and the compliance rules
must pass. Edits never change a stored version: they add one, so a reply sent
earlier still points at the words it used.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.choices import Marketplace

from .compliance import compliance_check, length_errors
from .models import BodyOrigin, ReplyTemplate, TemplateBody
from .placeholders import PLACEHOLDER, REGISTRY, misspelled_in

TEMPLATE_FIELDS = ("title", "scenario", "marketplaces", "tags", "is_active")

CODE_TAKEN = gettext_lazy("A template with this code already exists here.")
BAD_MARKETPLACE = gettext_lazy("Unknown marketplace: %(names)s.")


def template_errors(template: ReplyTemplate) -> dict:
    """Field errors of the template row itself, keyed by field (never "__all__")."""
    errors = {}
    try:
        # The unique constraints are conditional (library vs store), so they are
        # checked below with a message on "code" rather than as a general error.
        template.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    same_code = ReplyTemplate.objects.filter(code=template.code, store=template.store).exclude(pk=template.pk)
    if template.code and same_code.exists():
        errors.setdefault("code", []).append(str(CODE_TAKEN))
    if not isinstance(template.marketplaces, list):
        errors.setdefault("marketplaces", []).append(_("Give a list of marketplace codes."))
    else:
        unknown = [str(m) for m in template.marketplaces if m not in Marketplace.values]
        if unknown:
            errors.setdefault("marketplaces", []).append(str(BAD_MARKETPLACE) % {"names": ", ".join(unknown)})
    return errors


def text_errors(text: str) -> list[str]:
    """Why a template text cannot be saved: unknown placeholders, compliance violations."""
    errors = length_errors(text)
    if errors:
        return errors
    if "\x00" in (text or ""):
        errors.append(_("Null characters are not allowed."))
    misspelled = misspelled_in(text)
    if misspelled:
        errors.append(_("Write the placeholder exactly as registered: %(pairs)s.") % {
            "pairs": ", ".join(f"{written} → [{meant}]" for written, meant in misspelled)})
    unknown = [name for name in dict.fromkeys(PLACEHOLDER.findall(text or ""))
               if name not in REGISTRY and name not in {meant for _w, meant in misspelled}
               and f"[{name}]" not in {w for w, _m in misspelled}]
    if unknown:
        errors.append(_("Unknown placeholder: %(names)s.") % {"names": ", ".join(f"[{n}]" for n in unknown)})
    errors += [str(v) for v in compliance_check(text)]
    return errors


def _normalise_bodies(bodies: dict | None) -> dict[str, dict]:
    """``{"fr": "text"}`` or ``{"fr": {"title": ..., "body": ...}}`` → one shape, tags lower-case."""
    result = {}
    for language, value in (bodies or {}).items():
        if isinstance(value, dict):
            result[language.strip().lower()] = {"title": value.get("title") or "", "body": value.get("body") or ""}
        else:
            result[language.strip().lower()] = {"title": "", "body": value or ""}
    return result


def bodies_validate(bodies: dict[str, dict], *, field: str = "bodies") -> None:
    """Validate every language's text at once, so one answer lists every problem."""
    messages = []
    for language, value in bodies.items():
        probe = TemplateBody(language=language, body=value["body"], title=value["title"], version=1)
        try:
            probe.clean_fields(exclude=["template", "created_by", "version", "is_current", "origin"])
        except ValidationError as exc:
            messages += [f"{language}: {m}" for errors in exc.message_dict.values() for m in errors]
            continue
        if "\x00" in value["title"]:
            messages.append(f"{language}: " + _("Null characters are not allowed."))
        messages += [f"{language}: {m}" for m in text_errors(value["body"])]
    if messages:
        raise ValidationError({field: messages})


def _body_add(*, template, language: str, title: str, body: str, actor, origin) -> TemplateBody | None:
    """Make ``body`` the current text of ``language``, as a new version; nothing if
    it already is. The caller holds the template's row lock. A text without its own
    title takes the template's, so exports and re-imports compare equal."""
    title = title or template.title
    current = TemplateBody.objects.filter(template=template, language=language, is_current=True).first()
    if current is not None and current.body == body and current.title == title:
        return None
    last = TemplateBody.objects.filter(template=template, language=language).aggregate(v=Max("version"))["v"] or 0
    if current is not None:
        TemplateBody.objects.filter(pk=current.pk, is_current=True).update(is_current=False)
    return TemplateBody.objects.create(template=template, language=language, title=title, body=body,
                                       version=last + 1, is_current=True, origin=origin,
                                       created_by=actor if getattr(actor, "pk", None) else None)


def template_create(*, store, code: str, title: str, scenario: str, bodies: dict, actor, marketplaces=(),
                    tags: str = "", is_active: bool = True, origin: str = BodyOrigin.EDIT) -> ReplyTemplate:
    """Create a template (``store`` None: the shared library) with its first texts."""
    template = ReplyTemplate(store=store, code=code, title=title, scenario=scenario,
                             marketplaces=list(marketplaces or []), tags=tags or "", is_active=is_active)
    bodies = _normalise_bodies(bodies)
    errors = template_errors(template)
    if not bodies:
        errors["bodies"] = [_("Give the text in at least one language.")]
    else:
        try:
            bodies_validate(bodies)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        template.save()
        for language, value in bodies.items():
            _body_add(template=template, language=language, title=value["title"], body=value["body"], actor=actor,
                      origin=origin)
    return template


def template_update(*, template: ReplyTemplate, actor, bodies: dict | None = None, origin: str = BodyOrigin.EDIT,
                    **fields) -> list[TemplateBody]:
    """Change a template's fields and texts. Each changed text becomes a new version
    of its language; unchanged ones stay as they are. Returns the new versions."""
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"template_update() got unexpected fields {sorted(unknown)}")
    bodies = _normalise_bodies(bodies)
    for name, value in fields.items():
        setattr(template, name, list(value) if name == "marketplaces" and isinstance(value, (list, tuple)) else value)
    errors = template_errors(template)
    try:
        bodies_validate(bodies)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    added = []
    with transaction.atomic():
        # Two editors saving the same language at once must not both take version n+1.
        ReplyTemplate.objects.select_for_update().filter(pk=template.pk).first()
        if fields:
            template.save()
        for language, value in bodies.items():
            body = _body_add(template=template, language=language, title=value["title"], body=value["body"],
                             actor=actor, origin=origin)
            if body is not None:
                added.append(body)
        if added and not fields:
            ReplyTemplate.objects.filter(pk=template.pk).update(updated_at=added[-1].created_at)
    return added


def template_copy(*, template: ReplyTemplate, store, actor) -> ReplyTemplate:
    """A store's own copy of a library template, to edit without touching the library."""
    bodies = {b.language: {"title": b.title, "body": b.body} for b in template.bodies.filter(is_current=True)}
    return template_create(store=store, code=template.code, title=template.title, scenario=template.scenario,
                           marketplaces=template.marketplaces, tags=template.tags, is_active=template.is_active,
                           bodies=bodies, actor=actor)
