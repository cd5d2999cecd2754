"""The sensitive-message word lists, as data a supervisor edits in the admin.

Lower case; accents do not matter (matching folds them away, so "devolución"
also finds "devolucion"). Latin and Cyrillic terms match whole words; a word
ending in * also matches its longer forms. Chinese terms match anywhere.
"""

from django.db import migrations

TERMS = {
    "en": {
        "refund": ["refund", "refunds", "refunded", "money back", "reimbursement"],
        "return": ["return", "send it back", "return label"],
        "chargeback": ["chargeback", "charge back", "paypal dispute", "paypal claim"],
        "bad_review": ["bad review", "negative review", "negative feedback", "bad feedback", "1 star", "one star"],
        "legal": ["lawyer", "attorney", "sue", "lawsuit", "court", "legal action", "police"],
    },
    "zh": {
        "refund": ["退款", "退钱", "返款"],
        "return": ["退货", "寄回", "退换"],
        "chargeback": ["拒付", "信用卡争议", "银行争议", "撤销付款"],
        "bad_review": ["差评", "一星", "1星", "负面评价", "曝光"],
        "legal": ["律师", "起诉", "法院", "诉讼", "报警", "消协", "法律"],
    },
    "ru": {
        "refund": ["возврат денег", "верн* деньги", "верн* мои деньги", "возврат средств", "компенсаци*"],
        "return": ["возврат*", "вернуть товар", "отправить обратно"],
        "chargeback": ["чарджбэк", "чарджбек", "оспор* платеж*"],
        "bad_review": ["отзыв", "плохой отзыв", "негативный отзыв", "одна звезда", "1 звезд*"],
        "legal": ["юрист*", "адвокат*", "суд", "суда", "полици*", "прокуратур*", "роспотребнадзор*", "мошенни*"],
    },
    "es": {
        "refund": ["reembols*", "devuelv* mi dinero", "devolver el dinero", "devolución del dinero"],
        "return": ["devol*", "devuelv*", "enviar de vuelta"],
        "chargeback": ["contracargo*", "disputa en paypal", "reclamo en paypal"],
        "bad_review": ["mala reseña", "reseña negativa", "mala calificación", "una estrella", "1 estrella",
                       "comentario negativo", "valoración negativa"],
        "legal": ["abogado*", "demanda*", "denuncia*", "tribunal*", "policía", "acción legal", "acciones legales",
                  "estafa*"],
    },
    "fr": {
        "refund": ["rembours*", "rendre mon argent"],
        "return": ["retour*", "renvoy*", "renvoi"],
        "chargeback": ["rétrofacturation", "opposition bancaire", "faire opposition", "litige paypal",
                       "contester le paiement"],
        "bad_review": ["mauvais avis", "avis négatif", "mauvaise note", "une étoile", "1 étoile",
                       "mauvais commentaire", "mauvaise évaluation"],
        "legal": ["avocat*", "tribunal", "tribunaux", "poursuite*", "plainte", "police", "justice", "arnaque*"],
    },
    "pt": {
        "refund": ["reembols*", "estorn*", "meu dinheiro de volta", "devolver o dinheiro", "devolução do dinheiro"],
        "return": ["devolução", "devolv*"],
        "chargeback": ["chargeback", "contestação", "contestar a compra", "disputa no paypal"],
        "bad_review": ["avaliação negativa", "má avaliação", "uma estrela", "1 estrela", "reclame aqui",
                       "comentário negativo"],
        "legal": ["advogad*", "ação judicial", "processo judicial", "justiça", "procon", "polícia", "tribunal"],
    },
    "de": {
        "refund": ["rückerstattung*", "erstattung*", "geld zurück", "erstatten"],
        "return": ["rücksendung*", "zurücksenden", "zurückschicken", "retoure*", "rückgabe"],
        "chargeback": ["rückbuchung", "rücklastschrift", "chargeback", "paypal konflikt", "käuferschutz"],
        "bad_review": ["schlechte bewertung", "negative bewertung", "ein stern", "1 stern"],
        "legal": ["anwalt*", "rechtsanwalt*", "klage*", "verklagen", "gericht", "polizei", "verbraucherschutz*"],
    },
}


def load(apps, schema_editor):
    SensitiveTerm = apps.get_model("tickets", "SensitiveTerm")
    for language, topics in TERMS.items():
        for topic, terms in topics.items():
            for term in terms:
                SensitiveTerm.objects.get_or_create(language=language, term=term, defaults={"topic": topic})


def unload(apps, schema_editor):
    SensitiveTerm = apps.get_model("tickets", "SensitiveTerm")
    for language, topics in TERMS.items():
        terms = [term for terms in topics.values() for term in terms]
        SensitiveTerm.objects.filter(language=language, term__in=terms).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_default_policies")]
    operations = [migrations.RunPython(load, unload)]
