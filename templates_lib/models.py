"""The reply-template library: reusable answers per scenario, one body per language,
the compliance rules every text and reply must pass, and the record of each send.

The logic lives beside it: ``services`` (versions), ``placeholders``, ``rendering``,
``compliance``, ``suggestions``, ``effectiveness`` and ``io``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.base import StoreScopedQuerySet, scoped_manager
from tickets.models.stores import Store, language_validator


class Scenario(models.TextChoices):
    RETURN_POLICY = "return_policy", _("Return policy")
    DISPUTE_OPENED = "dispute_opened", _("Dispute opened")
    FEEDBACK_REQUEST = "feedback_request", _("Feedback request")
    REFUND_PROCESSING = "refund_processing", _("Refund processing")
    RETURN_REQUEST = "return_request", _("Return request")
    DEFECTIVE_ITEM = "defective_item", _("Defective item")
    NOT_AS_DESCRIBED = "not_as_described", _("Wrong or not-as-described item")
    EXCHANGE = "exchange", _("Exchange")
    PARTIAL_REFUND_OFFER = "partial_refund_offer", _("Partial-refund offer")
    SATISFACTION_FOLLOW_UP = "satisfaction_follow_up", _("Satisfaction follow-up")
    LOGISTICS_DELAY = "logistics_delay", _("Logistics delay")
    LOST_PARCEL = "lost_parcel", _("Lost parcel")
    DELIVERED_NOT_RECEIVED = "delivered_not_received", _("Delivered but not received")
    ORDER_CHANGE = "order_change", _("Order change")
    CUSTOMS_HOLD = "customs_hold", _("Customs hold")
    FIRST_RESPONSE = "first_response", _("First response")
    WRONG_ADDRESS = "wrong_address", _("Wrong address")
    SHIPPING_CONFIRMATION = "shipping_confirmation", _("Shipping confirmation")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    RETURN_RECEIVED = "return_received", _("Return received")
    DISPUTE_EVIDENCE = "dispute_evidence", _("Dispute evidence")
    OTHER = "other", _("Other")


class BodyOrigin(models.TextChoices):
    """Where a version of a text came from: the shipped library is the only one the
    loader may replace; a person's edit or an import is never overwritten by it."""

    LIBRARY = "library", _("Shipped library")
    EDIT = "edit", _("Edited")
    IMPORT = "import", _("Imported")


class TemplateQuerySet(StoreScopedQuerySet):
    def visible_to(self, user):
        """The shared library plus the user's own stores' templates."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.sees_all_stores:
            return self
        return self.filter(Q(store__isnull=True) | Q(store__in=user.stores.all()))


class ReplyTemplate(models.Model):
    """A reusable answer. ``store`` empty means the shared library; a store's own
    templates are visible to that store only."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, null=True, blank=True, related_name="templates",
                              verbose_name=_("store"))
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    scenario = models.CharField(_("scenario"), max_length=30, choices=Scenario.choices)
    marketplaces = models.JSONField(_("marketplaces"), default=list, blank=True,
                                    help_text=_("Empty means every marketplace."))
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Comma-separated."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        ordering = ["scenario", "code"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        # Keyset pages of the "changed since" list walk (updated_at, id); the composite
        # also serves every lookup on updated_at alone, so that column has no index of its own.
        indexes = [models.Index(fields=["updated_at", "id"], name="template_sync_idx")]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(store__isnull=True),
                                    name="template_code_unique_in_library"),
            models.UniqueConstraint(fields=["store", "code"], condition=Q(store__isnull=False),
                                    name="template_code_unique_per_store"),
            models.CheckConstraint(condition=Q(scenario__in=Scenario.values), name="template_scenario_valid"),
        ]

    def __str__(self):
        return f"{self.code}: {self.title}"


class TemplateBodyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(template__in=ReplyTemplate.objects.visible_to(user))


class TemplateBody(models.Model):
    """The text of a template in one language. Edits add a version; earlier ones stay."""

    template = models.ForeignKey(ReplyTemplate, on_delete=models.CASCADE, related_name="bodies",
                                 verbose_name=_("template"))
    language = models.CharField(_("language"), max_length=20, validators=[language_validator])
    version = models.PositiveIntegerField(_("version"), default=1)
    # The template's title in this language (the template's own title is the English one).
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    is_current = models.BooleanField(_("current"), default=True)
    origin = models.CharField(_("origin"), max_length=10, choices=BodyOrigin.choices, default=BodyOrigin.EDIT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TemplateBodyQuerySet.as_manager()

    class Meta:
        ordering = ["template", "language", "-version"]
        verbose_name = _("template text")
        verbose_name_plural = _("template texts")
        constraints = [
            models.UniqueConstraint(fields=["template", "language", "version"], name="template_body_version_unique"),
            models.UniqueConstraint(fields=["template", "language"], condition=Q(is_current=True),
                                    name="template_body_one_current"),
            models.CheckConstraint(condition=Q(version__gte=1), name="template_body_version_positive"),
            models.CheckConstraint(condition=~Q(body=""), name="template_body_not_empty"),
            models.CheckConstraint(condition=Q(origin__in=BodyOrigin.values), name="template_body_origin_valid"),
        ]

    def __str__(self):
        return f"{self.template.code} [{self.language}] v{self.version}"


class RuleCategory(models.TextChoices):
    OUTSIDE_PAYMENT = "outside_payment", _("Payment outside the platform")
    OUTSIDE_LINK = "outside_link", _("Link outside the marketplace")
    CONTACT_DETAILS = "contact_details", _("Contact details off the platform")
    OUTSIDE_REFUND = "outside_refund", _("Refund outside the platform")
    REVIEW_INCENTIVE = "review_incentive", _("Reward for a review")


class RuleKind(models.TextChoices):
    KEYWORDS = "keywords", _("Keywords (one per line)")
    REGEX = "regex", _("Regular expression")
    URL_ALLOWLIST = "url_allowlist", _("Links allowed only to these domains (one per line)")


class ComplianceRule(models.Model):
    """Content a marketplace forbids in a message to the buyer. Editable data: a
    template text and every outgoing reply are checked against the active rules."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=RuleCategory.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices, default=RuleKind.KEYWORDS)
    pattern = models.TextField(
        _("pattern"), help_text=_("Keywords or domains one per line (a word ending in * matches longer forms), "
                                  "or one regular expression."))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("compliance rule")
        verbose_name_plural = _("compliance rules")
        constraints = [
            models.CheckConstraint(condition=Q(category__in=RuleCategory.values),
                                   name="compliance_rule_category_valid"),
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="compliance_rule_kind_valid"),
            models.CheckConstraint(condition=~Q(pattern=""), name="compliance_rule_pattern_not_empty"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from .compliance import rule_pattern_errors

        errors = rule_pattern_errors(self.kind, self.pattern)
        if errors:
            raise ValidationError({"pattern": errors})


class TemplateUse(models.Model):
    """One reply sent from a template: which exact version, in which language, by whom,
    on which ticket. The basis of the effectiveness figures."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", verbose_name=_("store"))
    message = models.OneToOneField("tickets.Message", on_delete=models.CASCADE, related_name="template_use",
                                   verbose_name=_("message"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="template_uses",
                               verbose_name=_("ticket"))
    template = models.ForeignKey(ReplyTemplate, on_delete=models.CASCADE, related_name="uses",
                                 verbose_name=_("template"))
    body = models.ForeignKey(TemplateBody, on_delete=models.PROTECT, related_name="uses",
                             verbose_name=_("template text version"))
    language = models.CharField(_("language"), max_length=20)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("agent"))
    sent_at = models.DateTimeField(_("sent at"), db_index=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("template use")
        verbose_name_plural = _("template uses")
        indexes = [models.Index(fields=["template", "language"], name="template_use_template_idx")]

    def __str__(self):
        return f"{self.body} → {self.ticket_id}"
