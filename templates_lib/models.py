"""The reply-template library: reusable answers per scenario, one body per language.

This is the foundation's small core; placeholders, rendering, suggestions and
effectiveness are built on it in their own issue.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.base import StoreScopedQuerySet
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
    OTHER = "other", _("Other")


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
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        ordering = ["scenario", "code"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
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
    body = models.TextField(_("text"))
    is_current = models.BooleanField(_("current"), default=True)
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
        ]

    def __str__(self):
        return f"{self.template.code} [{self.language}] v{self.version}"
