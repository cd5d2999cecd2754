"""Money offered for a review written as an amount ("$5 for a 5-star review", "5 долларов
за отзыв"), and spellings the keyword rules of 0004 missed ("Pay Pal", "What's App").

Keyword additions go only into rules still exactly as 0004 wrote them: an admin's
edit of a rule is theirs and is never overwritten by an upgrade.
"""

import importlib

from django.db import migrations

_0004 = importlib.import_module("templates_lib.migrations.0004_default_compliance_rules")
ORIGINAL = {code: pattern for code, _name, _category, _kind, pattern in _0004.RULES}

KEYWORD_ADDITIONS = {
    "outside-payment-methods": ["pay pal"],
    "messaging-apps": ["what's app", "whats app", "what’s app"],
}

# Amounts: a currency symbol or code before or after the number, or a currency word
# after it, in the languages the library ships (en, es, fr, de, pt, ru, zh).
_NUMBER = r"\d+(?:[.,]\d{1,2})?"
_SYMBOL = r"(?:US\s?\$|R\$|[$€£¥₽])"
_WORD = (r"(?:usd|eur|gbp|rub|cny|rmb|brl|aud|cad|dollars?|bucks|euros?|pounds?|cents?|d[óo]lar(?:es)?|pesos?"
         r"|reais|доллар\w*|бакс\w*|евро|руб\w*|юан\w*)(?!\w)|(?:美元|美金|欧元|元|块|卢布)")
_AMOUNT = (r"(?:" + _SYMBOL + r"\s?" + _NUMBER + r"|(?<![\da-z.,])" + _NUMBER + r"\s?(?:" + _SYMBOL + "|" + _WORD
           + r"))")
# "We will review your photos" is the verb: only the noun counts in English.
_REVIEW = (r"(?:(?<!will )(?<!to )(?<!we )(?<!'ll )(?<!’ll )\breviews?\b|\bfeedback\b|\bratings?\b|\bstars?\b"
           r"|\bavis\b|\b[ée]toiles?\b|\bотзыв\w*|\bзв[её]зд\w*|\brese(?:ñ|n)as?\b|\bestrellas?\b"
           r"|\bbewertung(?:en)?\b|\bsternen?\b|\bavalia(?:ç|c)(?:ão|ao|ões|oes)\b|\bestrelas?\b|好评|评价|五星)")
# Both halves inside one sentence, so "Refund of $5 sent. Please leave a review" passes;
# a refund amount is what the buyer is owed, not a reward.
_GAP = r"[^.!?;\n。！？]{0,60}?"
_NOT_REFUND = r"(?<!refund of )(?<!refund of us )(?<!refunded )(?<!reembolso de )(?<!remboursement de )"
REVIEW_REWARD_AMOUNTS = (
    _NOT_REFUND + _AMOUNT + _GAP + _REVIEW
    + r"|" + _REVIEW + _GAP + _NOT_REFUND + _AMOUNT
    + r"|\bpay(?:ing)? you\b" + _GAP + _REVIEW
)

NEW_RULE = ("review-reward-amounts", "Reward for a review", "review_incentive", "regex", REVIEW_REWARD_AMOUNTS)


def _with_additions(code):
    return ORIGINAL[code] + "\n" + "\n".join(KEYWORD_ADDITIONS[code])


def forwards(apps, schema_editor):
    ComplianceRule = apps.get_model("templates_lib", "ComplianceRule")
    code, name, category, kind, pattern = NEW_RULE
    ComplianceRule.objects.get_or_create(
        code=code, defaults={"name": name, "category": category, "kind": kind, "pattern": pattern})
    for code in KEYWORD_ADDITIONS:
        ComplianceRule.objects.filter(code=code, pattern=ORIGINAL[code]).update(pattern=_with_additions(code))


def backwards(apps, schema_editor):
    ComplianceRule = apps.get_model("templates_lib", "ComplianceRule")
    ComplianceRule.objects.filter(code=NEW_RULE[0], pattern=NEW_RULE[4]).delete()
    for code in KEYWORD_ADDITIONS:
        ComplianceRule.objects.filter(code=code, pattern=_with_additions(code)).update(pattern=ORIGINAL[code])


class Migration(migrations.Migration):

    dependencies = [
        ("templates_lib", "0004_default_compliance_rules"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
