"""Platform clocks: one row per running deadline, found by an index on its due time."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tickets.choices import ClockKind, ClockState

from .base import currency_field, money_field, scoped_manager
from .disputes import Dispute
from .orders import Order
from .policies import ClockPolicy
from .returns import Return
from .stores import Store
from .tickets import Message, Ticket

SUBJECT_FIELDS = ("dispute", "return_request", "message", "ticket", "order")


class Clock(models.Model):
    """A marketplace deadline. While running, ``due_at`` (and ``warn_at``) are the
    wake-up times the sweep looks for through partial indexes over running rows only;
    ``subject_key`` names the object the clock runs on, so that the database allows
    one running clock of a kind per subject."""

    # Every index on this table is paid on each sweep UPDATE: store lookups use the
    # (store, state, due_at) index, and policy/owner are never searched alone.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="clocks", verbose_name=_("store"),
                              db_index=False)
    kind = models.CharField(_("kind"), max_length=30, choices=ClockKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    subject_key = models.CharField(pgettext_lazy("the object a clock runs on", "subject"), max_length=60,
                                   editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks",
                                verbose_name=_("dispute"), db_index=False)
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="clocks", verbose_name=_("return"), db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks",
                               verbose_name=_("ticket"), db_index=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks",
                                verbose_name=_("message"), db_index=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks",
                              verbose_name=_("order"), db_index=False)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("escalate to supervisors at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # What was at stake, so queues can rank by loss rather than by age.
    currency = currency_field(blank=True)
    amount_at_stake = money_field(_("amount at stake"), null=True, blank=True)
    # How the due time was computed (policy, calendar, timezone, start event).
    basis = models.JSONField(_("basis"), default=dict, blank=True)
    policy = models.ForeignKey(ClockPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="clocks",
                               verbose_name=_("policy"), db_index=False)
    # The alert ladder: the highest step already raised (0 none, 1 warning,
    # 2 escalation, 3 breach) and when the next step falls due.
    alerted_level = models.PositiveSmallIntegerField(_("alert step raised"), default=0)
    next_alert_at = models.DateTimeField(_("next alert at"), null=True, blank=True)
    # Whom the service figures count the clock for: who met it (the agent who acted,
    # else whoever held the ticket then), or who held the ticket when it lapsed.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("counted for"), db_index=False,
                              db_constraint=False)  # a snapshot; Django still nulls it if the user goes
    consequence_applied_at = models.DateTimeField(_("consequence applied"), null=True, blank=True)
    # Set when sweeping this clock raised an error: it is retried after this time.
    held_until = models.DateTimeField(_("held until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = scoped_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="clock_sync_idx"),
            models.Index(fields=["due_at"], condition=Q(state=ClockState.RUNNING), name="clock_running_due_idx"),
            models.Index(fields=["next_alert_at"], condition=Q(state=ClockState.RUNNING),
                         name="clock_running_alert_idx"),
            models.Index(fields=["store", "state", "due_at"], name="clock_store_state_due_idx"),
            # Each subject column is empty on most rows: partial indexes keep those rows
            # out, so a sweep UPDATE maintains one subject index per clock, not five.
            *[models.Index(fields=[f], condition=Q(**{f"{f}__isnull": False}), name=f"clock_{f}_idx")
              for f in ("dispute", "return_request", "ticket", "message", "order")],
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_key"], condition=Q(state=ClockState.RUNNING),
                                    name="clock_one_running_per_subject",
                                    violation_error_message=_("A clock of this kind already runs on this subject.")),
            models.CheckConstraint(condition=Q(kind__in=ClockKind.values), name="clock_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=ClockState.values), name="clock_state_valid"),
            models.CheckConstraint(condition=Q(due_at__gte=F("started_at")), name="clock_due_after_start"),
            models.CheckConstraint(condition=Q(warn_at__isnull=True) | Q(warn_at__lte=F("due_at")),
                                   name="clock_warning_before_due"),
            models.CheckConstraint(condition=~Q(state=ClockState.MET) | Q(met_at__isnull=False),
                                   name="clock_met_has_time"),
            models.CheckConstraint(condition=~Q(state=ClockState.BREACHED) | Q(breached_at__isnull=False),
                                   name="clock_breached_has_time"),
            models.CheckConstraint(condition=~Q(subject_key=""), name="clock_has_subject"),
            models.CheckConstraint(condition=Q(amount_at_stake__isnull=True) | Q(amount_at_stake__gte=0),
                                   name="clock_amount_non_negative"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.subject_key} · {self.get_state_display()}"

    def save(self, *args, **kwargs):
        # subject_key is derived data that backs the unique constraint; keep it in step.
        self.subject_key = self.derive_subject_key()
        super().save(*args, **kwargs)

    @property
    def subject(self):
        for field in SUBJECT_FIELDS:
            if getattr(self, f"{field}_id"):
                return getattr(self, field)
        return None

    def derive_subject_key(self) -> str:
        for field in SUBJECT_FIELDS:
            pk = getattr(self, f"{field}_id")
            if pk:
                return f"{field}:{pk}"
        return ""

    def clean(self):
        self.subject_key = self.derive_subject_key()
        if not self.subject_key:
            raise ValidationError(_("A clock must run on a dispute, a return, a message, a ticket or an order."))
        if self.started_at and self.due_at and self.due_at < self.started_at:
            raise ValidationError({"due_at": _("A clock cannot be due before it starts.")})
        if self.warn_at and self.due_at and self.warn_at > self.due_at:
            raise ValidationError({"warn_at": _("The warning cannot come after the due time.")})
