"""Which templates suit a ticket, best first.

``rank_templates`` is the whole ranking logic: a pure function of the candidates
and what is known about the ticket, so it is tested without a database.
``template_suggestions`` gathers those facts for a ticket in a fixed number of
queries and calls it.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from tickets.choices import DisputeFamily, DisputeReason, MessageKind, TicketCategory

from .compliance import fold
from .models import ReplyTemplate, Scenario, TemplateBody, TemplateUse

S = Scenario

# The scenarios a ticket category usually needs.
CATEGORY_SCENARIOS = {
    TicketCategory.LOGISTICS: {S.LOGISTICS_DELAY, S.LOST_PARCEL, S.DELIVERED_NOT_RECEIVED, S.CUSTOMS_HOLD,
                               S.SHIPPING_CONFIRMATION, S.WRONG_ADDRESS},
    TicketCategory.QUALITY: {S.DEFECTIVE_ITEM, S.PARTIAL_REFUND_OFFER, S.EXCHANGE, S.RETURN_REQUEST},
    TicketCategory.NOT_AS_DESCRIBED: {S.NOT_AS_DESCRIBED, S.EXCHANGE, S.PARTIAL_REFUND_OFFER, S.RETURN_REQUEST},
    TicketCategory.RETURN_REFUND: {S.RETURN_REQUEST, S.RETURN_POLICY, S.REFUND_PROCESSING, S.RETURN_RECEIVED},
    TicketCategory.DISPUTE: {S.DISPUTE_OPENED, S.DISPUTE_EVIDENCE, S.PARTIAL_REFUND_OFFER},
    TicketCategory.ORDER_CHANGE: {S.ORDER_CHANGE, S.WRONG_ADDRESS, S.OUT_OF_STOCK},
    TicketCategory.FEEDBACK: {S.FEEDBACK_REQUEST, S.SATISFACTION_FOLLOW_UP},
    TicketCategory.OTHER: {S.FIRST_RESPONSE},
}
# A dispute's reason points at one scenario; its family at a wider set.
REASON_SCENARIOS = {
    DisputeReason.IN_TRANSIT: S.LOGISTICS_DELAY,
    DisputeReason.LOST: S.LOST_PARCEL,
    DisputeReason.DELIVERED_NOT_RECEIVED: S.DELIVERED_NOT_RECEIVED,
    DisputeReason.CUSTOMS_HOLD: S.CUSTOMS_HOLD,
    DisputeReason.RETURNED_TO_SENDER: S.LOST_PARCEL,
    DisputeReason.WRONG_ADDRESS: S.WRONG_ADDRESS,
    DisputeReason.DAMAGED: S.DEFECTIVE_ITEM,
    DisputeReason.DEFECTIVE: S.DEFECTIVE_ITEM,
    DisputeReason.WRONG_ITEM: S.NOT_AS_DESCRIBED,
    DisputeReason.WRONG_SIZE_COLOUR: S.EXCHANGE,
    DisputeReason.MISSING_PARTS: S.NOT_AS_DESCRIBED,
    DisputeReason.COUNTERFEIT: S.NOT_AS_DESCRIBED,
    DisputeReason.QUALITY: S.PARTIAL_REFUND_OFFER,
}
FAMILY_SCENARIOS = {
    DisputeFamily.NOT_RECEIVED: {S.LOGISTICS_DELAY, S.LOST_PARCEL, S.DELIVERED_NOT_RECEIVED, S.CUSTOMS_HOLD,
                                 S.WRONG_ADDRESS, S.DISPUTE_OPENED, S.DISPUTE_EVIDENCE},
    DisputeFamily.NOT_AS_DESCRIBED: {S.DEFECTIVE_ITEM, S.NOT_AS_DESCRIBED, S.EXCHANGE, S.PARTIAL_REFUND_OFFER,
                                     S.RETURN_REQUEST, S.DISPUTE_OPENED, S.DISPUTE_EVIDENCE},
}
# Words buyers write, per scenario, in the languages the desk serves. Matched as
# substrings of the folded message (lower case, no accents), so stems catch the
# inflected forms of Russian or German and Chinese needs no word breaks.
SCENARIO_WORDS = {
    S.LOGISTICS_DELAY: ["where is my", "not arrived", "still waiting", "delay", "tracking", "hasn't arrived",
                        "还没收到", "物流", "没到", "到哪", "где мой", "где моя", "не приш", "жду", "трек",
                        "donde esta", "no ha llegado", "retraso", "ou est", "pas recu", "retard", "wo ist",
                        "nicht angekommen", "nao chegou", "atraso"],
    S.LOST_PARCEL: ["lost", "never arrived", "丢失", "丢了", "потерял", "потеря", "perdido", "perdu", "verloren"],
    S.DELIVERED_NOT_RECEIVED: ["says delivered", "shows delivered", "marked as delivered", "did not receive",
                               "didn't receive", "显示已签收", "没有收到", "доставлен", "не получил",
                               "entregado", "livre", "zugestellt", "nicht erhalten", "entregue"],
    S.CUSTOMS_HOLD: ["customs", "海关", "清关", "таможн", "aduana", "douane", "zoll", "alfandega"],
    S.DEFECTIVE_ITEM: ["broken", "defective", "doesn't work", "does not work", "damaged", "not working",
                       "坏了", "损坏", "不能用", "质量", "сломан", "не работает", "брак", "поврежд", "roto",
                       "no funciona", "defectuoso", "casse", "ne fonctionne pas", "defekt", "kaputt",
                       "funktioniert nicht", "quebrado", "nao funciona", "defeito"],
    S.NOT_AS_DESCRIBED: ["wrong item", "not as described", "different from", "wrong colour", "wrong color",
                         "wrong size", "fake", "发错", "不一样", "与描述不符", "не тот", "не соответств",
                         "другой цвет", "не такой", "equivocado", "no corresponde", "pas conforme",
                         "falsche", "errado", "diferente"],
    S.RETURN_REQUEST: ["return", "send it back", "退货", "退回", "вернуть товар", "возврат", "devolver",
                       "devolucion", "retourner", "retour", "zurucksenden", "rucksendung", "devolucao"],
    S.REFUND_PROCESSING: ["refund", "money back", "退款", "钱", "возврат денег", "вернуть деньги", "reembolso",
                          "rembourse", "erstattung", "geld zuruck"],
    S.EXCHANGE: ["exchange", "replace", "another size", "换货", "更换", "换一个", "обмен", "заменить", "cambio",
                 "cambiar", "echange", "umtausch", "troca", "trocar"],
    S.ORDER_CHANGE: ["change my order", "change the address", "cancel", "修改订单", "取消", "改地址",
                     "изменить заказ", "отменить", "cambiar el pedido", "cancelar", "modifier", "annuler",
                     "andern", "stornieren", "alterar"],
    S.WRONG_ADDRESS: ["wrong address", "address", "地址", "адрес", "direccion", "adresse", "endereco"],
    S.FEEDBACK_REQUEST: ["feedback", "review", "评价", "отзыв", "resena", "avis", "bewertung", "avaliacao"],
    S.SATISFACTION_FOLLOW_UP: ["thank", "received it", "happy", "谢谢", "收到了", "спасибо", "gracias", "merci",
                               "danke", "obrigad"],
    S.OUT_OF_STOCK: ["in stock", "out of stock", "缺货", "有货", "нет в наличии", "agotado", "rupture",
                     "ausverkauft", "esgotado"],
    S.DISPUTE_OPENED: ["dispute", "纠纷", "спор", "disputa", "litige", "streitfall"],
    S.PARTIAL_REFUND_OFFER: ["partial refund", "部分退款", "частичн", "reembolso parcial", "remboursement partiel",
                             "teilerstattung", "reembolso parcial"],
}

WEIGHT_REASON = 6.0
# A template tagged with the dispute's reason ("damaged") or family ("not-received") was
# written for it, whatever its scenario: a partial-refund offer tagged "damaged" suits a
# damaged-item dispute, and a dispute answer tagged for one family never suits the other.
WEIGHT_REASON_TAG = 4.0
WEIGHT_FAMILY_TAG = 5.0
WEIGHT_CATEGORY = 4.0
WEIGHT_FAMILY = 2.0
WEIGHT_WORD = 1.5  # per distinct word, up to MAX_WORDS
MAX_WORDS = 3
WEIGHT_TAG = 1.0
WEIGHT_LANGUAGE = 0.5
WEIGHT_EFFECTIVE = 2.0  # times the share of disputes ended well (agreed or won)
MIN_DISPUTES = 3  # fewer disputed tickets than this say nothing about a template yet


FAMILY_TAGS = set(DisputeFamily.values)


def _tag_key(tag: str) -> str:
    """A tag as the choice values spell it: "Not received" and "not-received" read "not_received"."""
    return "_".join(fold(tag).replace("-", " ").split())


@dataclass
class Suggestion:
    template: ReplyTemplate
    score: float
    reasons: list[str] = field(default_factory=list)


def rank_templates(*, templates, category: str = "", dispute_family: str = "", dispute_reason: str = "",
                   buyer_text: str = "", language: str = "", effectiveness: dict | None = None,
                   limit: int | None = None) -> list[Suggestion]:
    """Order ``templates`` by how well they fit, best first; those that fit in no way are left out.

    Points, added up:
    1. the dispute's reason points at the template's scenario (strongest signal), or else is
       one of the template's tags;
    2. the ticket's category usually needs this scenario;
    3. the dispute's family includes the scenario, and more if the template is tagged with
       that family; a template tagged only with other families is left out;
    4. words of the buyer's latest message that belong to the scenario (any language), and the
       template's own tags found in it;
    5. the template has a text in the buyer's language;
    6. past effectiveness: the share of its disputed tickets that ended agreed or won, once it has
       at least ``MIN_DISPUTES`` of them (``effectiveness``: {template id: (disputed, good)}).
    Ties go to the template used more, then by code, so the order is stable.
    """
    effectiveness = effectiveness or {}
    text = fold(buyer_text or "")
    language = (language or "").lower()
    results = []
    for template in templates:
        score, reasons = 0.0, []
        scenario = template.scenario
        tag_keys = {_tag_key(t) for t in template.tags.split(",") if t.strip()}
        families = tag_keys & FAMILY_TAGS
        if dispute_family and families and dispute_family not in families:
            continue
        if dispute_reason and REASON_SCENARIOS.get(dispute_reason) == scenario:
            score += WEIGHT_REASON
            reasons.append(f"reason:{dispute_reason}")
        elif dispute_reason and dispute_reason in tag_keys:
            score += WEIGHT_REASON_TAG
            reasons.append(f"reason-tag:{dispute_reason}")
        if category and scenario in CATEGORY_SCENARIOS.get(category, ()):
            score += WEIGHT_CATEGORY
            reasons.append(f"category:{category}")
        if dispute_family and scenario in FAMILY_SCENARIOS.get(dispute_family, ()):
            score += WEIGHT_FAMILY
            reasons.append(f"family:{dispute_family}")
        if dispute_family and dispute_family in families:
            score += WEIGHT_FAMILY_TAG
            reasons.append(f"family-tag:{dispute_family}")
        if text:
            words = [w for w in SCENARIO_WORDS.get(scenario, ()) if fold(w) in text][:MAX_WORDS]
            if words:
                score += WEIGHT_WORD * len(words)
                reasons.append("words:" + ",".join(words))
            tags = [t for t in (x.strip() for x in template.tags.split(",")) if t and fold(t) in text]
            if tags:
                score += WEIGHT_TAG
                reasons.append("tags:" + ",".join(tags))
        if score <= 0:
            continue
        languages = getattr(template, "current_languages", None)
        if language and languages is not None and language in languages:
            score += WEIGHT_LANGUAGE
        disputed, good, uses = effectiveness.get(template.pk, (0, 0, 0))
        if disputed >= MIN_DISPUTES:
            score += WEIGHT_EFFECTIVE * good / disputed
            reasons.append(f"effective:{good}/{disputed}")
        results.append((score, uses, template.code, Suggestion(template=template, score=round(score, 3),
                                                               reasons=reasons)))
    results.sort(key=lambda r: (-r[0], -r[1], r[2]))
    ranked = [r[3] for r in results]
    return ranked[:limit] if limit else ranked


def suggestion_candidates(user, ticket):
    """Active templates the user may use on ``ticket``: the shared library and the
    ticket's store's own, for the store's marketplace, with their current texts."""
    from .effectiveness import template_effectiveness

    marketplace = ticket.store.marketplace
    templates = list(
        ReplyTemplate.objects.visible_to(user)
        .filter(Q(store__isnull=True) | Q(store_id=ticket.store_id), is_active=True)
        .prefetch_related(Prefetch("bodies", queryset=TemplateBody.objects.filter(is_current=True),
                                   to_attr="current_bodies"))
    )
    templates = [t for t in templates if not t.marketplaces or marketplace in t.marketplaces]
    for template in templates:
        template.current_languages = {b.language.lower() for b in template.current_bodies}
    figures = {}
    # The store's own record only: another store's disputes are not this team's to read.
    uses = TemplateUse.objects.filter(store_id=ticket.store_id, template__in=[t.pk for t in templates])
    for row in template_effectiveness(uses, with_median=False):
        disputed, good, uses = figures.get(row["template"], (0, 0, 0))
        figures[row["template"]] = (disputed + row["disputed"], good + row["agreed"] + row["won"],
                                    uses + row["uses"])
    return templates, figures


def template_suggestions(*, user, ticket, limit: int = 5, buyer_text: str | None = None) -> list[Suggestion]:
    """The best templates for ``ticket`` (a fixed number of queries). ``buyer_text``:
    the latest buyer message, when the caller has already read the thread."""
    from .rendering import buyer_language

    templates, figures = suggestion_candidates(user, ticket)
    dispute = ticket.disputes.order_by("-opened_at", "-pk").first()
    if buyer_text is None:
        latest = ticket.messages.filter(kind=MessageKind.BUYER).order_by("-sent_at", "-pk").first()
        buyer_text = latest.body if latest else ""
    return rank_templates(
        templates=templates, category=ticket.category,
        dispute_family=dispute.family if dispute else "", dispute_reason=dispute.reason if dispute else "",
        buyer_text=buyer_text, language=buyer_language(ticket),
        effectiveness=figures, limit=limit,
    )
