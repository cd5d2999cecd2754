"""Sensitive terms: the words that make a buyer's message urgent, kept as data.

A buyer who mentions a return, a refund, a chargeback, a bad review or a lawyer
starts the 2-hour escalation clock. The word lists are rows a supervisor edits in
the admin (seeded per language by a migration), never constants in code.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .stores import language_validator


class SensitiveTopic(models.TextChoices):
    RETURN = "return", _("Return")
    REFUND = "refund", _("Refund")
    CHARGEBACK = "chargeback", _("Chargeback or payment dispute")
    BAD_REVIEW = "bad_review", _("Bad-review threat")
    LEGAL = "legal", _("Lawyer or legal action")


class SensitiveTerm(TimeStampedModel):
    """One word or phrase of one language that marks a buyer's message as sensitive.

    Matching ignores case and accents. Latin and Cyrillic terms match whole words
    only ("sue" is not found in "issue"); a word ending in ``*`` also matches its
    longer forms ("возврат*" finds "возврата"). Chinese and Japanese terms have no
    word boundaries and match anywhere in the text.
    """

    language = models.CharField(_("language"), max_length=20, validators=[language_validator])
    term = models.CharField(
        _("term"), max_length=100,
        help_text=_("Lower case. Whole words only; end a word with * to match its longer forms too."))
    topic = models.CharField(_("topic"), max_length=20, choices=SensitiveTopic.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["language", "topic", "term"]
        verbose_name = _("sensitive term")
        verbose_name_plural = _("sensitive terms")
        constraints = [
            models.UniqueConstraint(fields=["language", "term"], name="sensitive_term_unique_per_language"),
            models.CheckConstraint(condition=Q(topic__in=SensitiveTopic.values), name="sensitive_term_topic_valid"),
            models.CheckConstraint(condition=~Q(term=""), name="sensitive_term_not_empty"),
        ]

    def __str__(self):
        return f"{self.term} ({self.language}, {self.get_topic_display()})"

    def clean_fields(self, exclude=None):
        # Stored lower case and trimmed, so "Refund" and "refund " are one term; done
        # before the field checks, so that a term of spaces is refused as blank.
        self.term = " ".join((self.term or "").lower().split())
        super().clean_fields(exclude=exclude)
