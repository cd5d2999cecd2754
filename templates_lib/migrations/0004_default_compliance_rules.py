"""The default compliance rules: what AliExpress, Amazon and eBay forbid in a message
to the buyer. Editable in the admin afterwards; re-running never duplicates them."""

from django.db import migrations

MARKETPLACE_DOMAINS = """aliexpress.com
aliexpress.ru
aliexpress.us
amazon.com
amazon.co.uk
amazon.de
amazon.fr
amazon.es
amazon.it
ebay.com
ebay.co.uk
ebay.de
ebay.fr
shopify.com
myshopify.com
17track.net
cainiao.com"""

RULES = [
    ("outside-payment-methods", "Payment outside the platform", "outside_payment", "keywords", """paypal
western union
moneygram
bank transfer
wire transfer
pay me directly
pay us directly
payoneer
venmo
zelle
银行转账
西联汇款
支付宝
贝宝
微信支付
банковский перевод
перевод на карту
transferencia bancaria
virement bancaire
banküberweisung
überweisung
transferência bancária"""),
    ("outside-links", "Link outside the marketplace", "outside_link", "url_allowlist", MARKETPLACE_DOMAINS),
    ("email-address", "Email address", "contact_details", "regex",
     r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}"),
    # International numbers only: bare digit runs are order and tracking numbers.
    ("phone-number", "Phone number", "contact_details", "regex",
     r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}(?!\w)"),
    ("messaging-apps", "Messaging app contact", "contact_details", "keywords", """whatsapp
wechat
telegram
skype
viber
line id
微信
加我
电报
вотсап
ватсап
телеграм"""),
    ("outside-refund", "Refund outside the platform", "outside_refund", "keywords", """refund you directly
refund outside
outside the platform
off the platform
outside aliexpress
outside amazon
outside ebay
cancel the dispute and we will refund
close the dispute and we will refund
私下退款
线下退款
平台外退款
撤销纠纷后退款
вернем деньги напрямую
вне платформы
fuera de la plataforma
en dehors de la plateforme
außerhalb der plattform
fora da plataforma"""),
    ("review-reward-words", "Reward for a review", "review_incentive", "keywords", """好评返现
好评有礼
好评送
五星好评返
返现
кэшбэк за отзыв
подарок за отзыв
скидка за отзыв
деньги за отзыв
regalo por su reseña
cadeau pour un avis
gutschein für eine bewertung
presente por uma avaliação"""),
    # Asking for feedback is allowed; tying a reward to it is not. Each branch needs
    # both halves inside one sentence, so "refund sent. Thanks for your feedback" passes.
    ("review-reward-phrases", "Reward for a review", "review_incentive", "regex",
     r"\b(?:gift|coupon|discount|cash ?back|money|bonus|reward|voucher|refund)\b[^.!?;\n]{0,40}"
     r"\bfor (?:a |an |your |the )?(?:good|positive|5[- ]star|five[- ]star|excellent) (?:review|feedback|rating)s?\b"
     r"|\b(?:good|positive|5[- ]star|five[- ]star) (?:review|feedback|rating)s?\b[^.!?;\n]{0,40}"
     r"\b(?:gift|coupon|discount|cash ?back|money|bonus|reward|voucher)\b"
     r"|\b(?:leave|give|write|post)\b[^.!?;\n]{0,30}\b(?:review|feedback|rating)\b[^.!?;\n]{0,20}"
     r"\b(?:and|to) (?:get|receive|we will send you|we'll send you)\b[^.!?;\n]{0,30}"
     r"\b(?:gift|coupon|discount|cash ?back|money|bonus|reward|voucher|refund)\b"),
]


def add_rules(apps, schema_editor):
    ComplianceRule = apps.get_model("templates_lib", "ComplianceRule")
    for code, name, category, kind, pattern in RULES:
        ComplianceRule.objects.get_or_create(
            code=code, defaults={"name": name, "category": category, "kind": kind, "pattern": pattern})


def remove_rules(apps, schema_editor):
    ComplianceRule = apps.get_model("templates_lib", "ComplianceRule")
    ComplianceRule.objects.filter(code__in=[rule[0] for rule in RULES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("templates_lib", "0003_rules_and_uses"),
    ]

    operations = [
        migrations.RunPython(add_rules, remove_rules),
    ]
