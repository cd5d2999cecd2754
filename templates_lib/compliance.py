"""Compliance check: content the marketplaces forbid in a message to the buyer.

Rules are editable rows (``ComplianceRule``): keyword lists, regular expressions,
and an allow-list of link domains. A template text is checked when it is saved and
every outgoing reply when it is sent; a violation blocks either with a message that
names the rule and the words it found.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ComplianceRule, RuleKind

# Scripts written without spaces between words: their keywords match anywhere.
_NO_WORD_BOUNDARIES = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
# Links with a scheme, bare "www." ones, and bare domains ("bit.ly/pay", "shop.com"):
# each takes the buyer away. A bare host needs a common top-level domain or a path
# after it, so "e.g.", "3.5" and tracking numbers are not links; one that starts
# right after "@", a dot or a word character (or runs into "@") is part of an email
# or a longer word.
_TLDS = (r"com|net|org|info|biz|io|co|me|ly|app|shop|store|online|site|top|xyz|link|click|vip|club|pro|tv|"
         r"cc|ws|gg|gl|su|ru|cn|uk|us|eu|de|fr|es|pt|br")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    r"|(?<![\w@.\-/])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:(?:" + _TLDS + r")(?![\w@-])(?:/[^\s<>\"'()\[\]]*)?|[a-z]{2,24}/[^\s<>\"'()\[\]]*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Violation:
    rule: str  # the rule's name, as the agent reads it
    code: str
    words: tuple[str, ...]

    def __str__(self):
        return _("“%(rule)s” forbids: %(words)s") % {"rule": self.rule, "words": ", ".join(self.words)}


def fold(text: str) -> str:
    """Lower case without accents ("Überweisung" reads as "uberweisung"); NFKD also
    turns full-width letters and digits into plain ones."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _lines(pattern: str) -> list[str]:
    return [line.strip() for line in pattern.splitlines() if line.strip()]


@functools.lru_cache(maxsize=1024)
def _keyword_pattern(keyword: str) -> re.Pattern:
    """Latin and Cyrillic keywords match whole words (a trailing ``*`` allows longer
    forms, spaces and hyphens are interchangeable); Chinese and Japanese anywhere."""
    folded = fold(keyword)
    if _NO_WORD_BOUNDARIES.search(folded):
        return re.compile(re.escape(folded))
    words = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in folded.split()]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)")


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE | re.UNICODE)


def _host_allowed(host: str, domains: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _matches(kind: str, pattern: str, text: str, folded: str) -> list[str]:
    """The words of ``text`` a rule finds, in order, each once."""
    found = []
    if kind == RuleKind.KEYWORDS:
        for keyword in _lines(pattern):
            match = _keyword_pattern(keyword).search(folded)
            if match:
                found.append(match.group(0))
    elif kind == RuleKind.REGEX:
        found = [m.group(0) for m in _regex(pattern).finditer(text)]
    elif kind == RuleKind.URL_ALLOWLIST:
        domains = [d.lower().lstrip(".") for d in _lines(pattern)]
        for match in _URL.finditer(text):
            url = match.group(0).rstrip(".,;:!?")
            host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
            if not _host_allowed(host.lower(), domains):
                found.append(url)
    return list(dict.fromkeys(w.strip() for w in found if w.strip()))


def rule_pattern_errors(kind: str, pattern: str) -> list[str]:
    """Why a rule's pattern cannot be used (an invalid regular expression), if it cannot."""
    if kind == RuleKind.REGEX and pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            return [_("Not a valid regular expression: %(error)s") % {"error": exc}]
    return []


# Marketplaces cut messages far shorter than this; past it, a reply or template is
# refused by length (``length_errors``) before any rule is run over it, since an
# editable regular expression may take time that grows fast with the text.
MAX_TEXT = 5000


def length_errors(text: str) -> list[str]:
    count = len(text or "")
    if count <= MAX_TEXT:
        return []
    return [_("Keep it to %(max)d characters; this text has %(count)d.") % {"max": MAX_TEXT, "count": count}]


def compliance_check(text: str, *, rules=None) -> list[Violation]:
    """The active rules ``text`` breaks, with the words that break each (one query).
    A text over ``MAX_TEXT`` is not scanned: callers refuse it by its length."""
    if not (text or "").strip() or len(text) > MAX_TEXT:
        return []
    if rules is None:
        rules = ComplianceRule.objects.filter(is_active=True).order_by("category", "code")
    folded = fold(text)
    violations = []
    for rule in rules:
        words = _matches(rule.kind, rule.pattern, text, folded)
        if words:
            violations.append(Violation(rule=rule.name, code=rule.code, words=tuple(words)))
    return violations


def compliance_validate(text: str, *, field: str = "body") -> None:
    """Raise a ``ValidationError`` on ``field`` naming each rule broken and its words."""
    errors = length_errors(text) or [str(v) for v in compliance_check(text)]
    if errors:
        raise ValidationError({field: errors})
