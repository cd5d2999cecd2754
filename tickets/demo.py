"""Demo data: two stores, their team, and orders in every after-sales situation.

``seed_demo()`` builds, from a fixed random seed and relative to "now", a desk worth
exploring: buyer conversations in many languages, disputes of both families, returns
and refunds at every step, and clocks of every kind running, near lapse, lapsed
(waiting for the sweep), breached and met, with the alerts they raised.

It is idempotent. Stores and users are found by their natural keys, passwords are
reset to the printed ones, and a store that already has its demo orders is skipped,
so ``make run`` can call it every time for the price of three password checks.

Each store is planned first (pure Python: a story per order, then the order's dates
worked back from the story, so that every clock starts at its subject's own
timestamp), then written: buyers, orders, items, tickets and messages in bulk, and
every status change, proposal, refund and clock through the services, so the audit
trail and the database constraints see what a real desk would.
"""

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import holidays
from babel.numbers import format_currency
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from tickets.choices import (
    ORDER_TRANSITIONS,
    REASONS_BY_FAMILY,
    TICKET_TRANSITIONS,
    AlertLevel,
    ClockKind,
    ClockState,
    DisputeFamily,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
    Marketplace,
    MessageKind,
    OrderStatus,
    Priority,
    ProposalParty,
    ProposalSolution,
    ProposalStatus,
    RefundReason,
    RefundSource,
    RequestedSolution,
    ReturnStatus,
    Role,
    TicketCategory,
    TicketStatus,
)
from tickets.models import (
    Alert,
    AlertReceipt,
    AuditEntry,
    Buyer,
    Clock,
    Dispute,
    DisputeProposal,
    Message,
    Order,
    OrderItem,
    Refund,
    Return,
    Store,
    StoreHoliday,
    Ticket,
    User,
)
from tickets.services.clocks import clock_cancel, clock_meet, clock_start
from tickets.services.disputes import dispute_set_status, proposal_create, proposal_set_status
from tickets.services.orders import order_set_status
from tickets.services.refunds import refund_record
from tickets.services.returns import return_set_status
from tickets.services.tickets import ticket_assign, ticket_set_status
from tickets.services.workflow import transition

DEMO_SEED = 20260501
SEED_ACTOR = "system:seed"
DEFAULT_ORDERS_PER_STORE = 150

# The demo clock lengths: AliExpress's defaults from docs (DOMAIN.md). The real policy
# table, per marketplace, comes in its own issue; until then every demo clock says
# in its ``basis`` that it was computed with these numbers.
DEMO_CLOCK_POLICY = "aliexpress-default"
DEMO_CLOCK_LENGTHS = {
    ClockKind.DISPUTE_RESPONSE: timedelta(hours=24),
    ClockKind.REFUND_DECISION: timedelta(days=5),
    ClockKind.RETURN_SHIPMENT: timedelta(days=10),
    ClockKind.RECEIPT_CONFIRMATION: timedelta(days=30),
    ClockKind.FIRST_RESPONSE: timedelta(hours=3),  # a message inside working hours
    ClockKind.SENSITIVE_ESCALATION: timedelta(hours=2),
    ClockKind.REFUND_WINDOW: timedelta(days=15),
    ClockKind.CHARGEBACK_WINDOW: timedelta(days=180),
}
DEMO_FIRST_RESPONSE_OUTSIDE_HOURS = timedelta(hours=6)  # outside working hours or on a day off
# How long before the due time the warning, and the escalation to supervisors, fire.
# No escalation for deadlines that are not the seller's to meet.
DEMO_CLOCK_ALERTS = {
    ClockKind.DISPUTE_RESPONSE: (timedelta(hours=6), timedelta(hours=2)),
    ClockKind.REFUND_DECISION: (timedelta(hours=24), timedelta(hours=6)),
    ClockKind.RETURN_SHIPMENT: (timedelta(hours=48), None),
    ClockKind.RECEIPT_CONFIRMATION: (timedelta(hours=72), timedelta(hours=24)),
    ClockKind.FIRST_RESPONSE: (timedelta(hours=1), timedelta(minutes=30)),
    ClockKind.SENSITIVE_ESCALATION: (timedelta(hours=1), timedelta(minutes=30)),
    ClockKind.REFUND_WINDOW: (timedelta(hours=48), None),
    ClockKind.CHARGEBACK_WINDOW: (timedelta(days=7), None),
}
# A lapse the seller pays for raises a breach alert; the others only lapse.
SELLER_DEADLINES = {ClockKind.DISPUTE_RESPONSE, ClockKind.REFUND_DECISION, ClockKind.RECEIPT_CONFIRMATION,
                    ClockKind.FIRST_RESPONSE, ClockKind.SENSITIVE_ESCALATION}
START_EVENTS = {
    ClockKind.DISPUTE_RESPONSE: "dispute.opened_at",
    ClockKind.REFUND_DECISION: "dispute.opened_at",
    ClockKind.RETURN_SHIPMENT: "return.agreed_at",
    ClockKind.RECEIPT_CONFIRMATION: "return.tracking_submitted_at",
    ClockKind.FIRST_RESPONSE: "message.sent_at",
    ClockKind.SENSITIVE_ESCALATION: "message.sent_at",
    ClockKind.REFUND_WINDOW: "order.completed_at",
    ClockKind.CHARGEBACK_WINDOW: "order.paid_at",
}
# A clock past due without its event stays RUNNING this long in the demo (the sweep,
# built later, will breach it); older ones are already BREACHED at their due time.
LAPSED_GRACE = timedelta(days=1)
# What each clock is at now. "near" means due within three hours, its warning passed.
AHEAD, NEAR, LAPSED, BREACHED, MET = "ahead", "near", "lapsed", "breached", "met"
STAGES = (AHEAD, NEAR, LAPSED, BREACHED, MET)
STAGE_WEIGHTS = {AHEAD: 30, NEAR: 10, LAPSED: 10, BREACHED: 15, MET: 35}

# Stores, their days off, and the team ----------------------------------------------------
DEMO_STORES = (
    {"code": "ae-main", "name": "Lumen Home (AliExpress)", "marketplace": Marketplace.ALIEXPRESS,
     "timezone": "Asia/Shanghai", "holiday_country": "CN", "default_language": "en", "working_days": "123456"},
    {"code": "amz-eu", "name": "Lumen Home EU (Amazon)", "marketplace": Marketplace.AMAZON,
     "timezone": "Europe/Berlin", "holiday_country": "DE", "default_language": "de", "working_days": "12345"},
)
DEMO_STORE_HOLIDAYS = {  # (month, day) of the current year
    "ae-main": (((6, 19), "Team day off after the 618 sale"), ((11, 12), "Team day off after Singles' Day")),
    "amz-eu": (((12, 24), "Christmas Eve: office closed"), ((12, 31), "New Year's Eve: office closed")),
}


class DemoUser(NamedTuple):
    username: str
    password: str
    role: str
    stores: tuple  # store codes; empty for an admin, who sees every store
    first_name: str
    last_name: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", "demo-admin-2026", Role.ADMIN, (), "Desk", "Admin", is_staff=True, is_superuser=True),
    DemoUser("supervisor", "demo-super-2026", Role.SUPERVISOR, ("ae-main", "amz-eu"), "Yang", "Liu", is_staff=True),
    DemoUser("agent1", "demo-agent-2026", Role.SENIOR_AGENT, ("ae-main",), "Wei", "Li"),
    DemoUser("agent2", "demo-agent-2026", Role.AGENT, ("ae-main",), "Min", "Zhang"),
    DemoUser("agent3", "demo-agent-2026", Role.AGENT, ("amz-eu",), "Jie", "Chen"),
)
# The supervisor runs the Django admin for these apps.
SUPERVISOR_APPS = ("tickets", "templates_lib")

# Catalogue, carriers, buyers ------------------------------------------------------------
# (SKU, name in messages, listing title, USD price on AliExpress, EUR price on Amazon)
CATALOG = (
    ("LH-DL01-WH", "LED desk lamp", "LED Desk Lamp, dimmable, 5 colour modes, USB-C, white", "18.99", "29.99"),
    ("LH-DL02-BK", "clip-on reading lamp", "Clip-on LED Reading Lamp, flexible neck, black", "9.49", "16.99"),
    ("LH-PC15-BK", "iPhone 15 case", "Shockproof Phone Case for iPhone 15, matte black", "4.59", "12.99"),
    ("LH-PCS24-CL", "Galaxy S24 case", "Clear Silicone Case for Samsung Galaxy S24", "3.29", "9.99"),
    ("LH-SP15-2P", "screen protector", "Tempered Glass Screen Protector for iPhone 15, 2-pack", "1.99", "7.99"),
    ("LH-ST5M-RGB", "LED strip", "RGB LED Strip 5 m with remote and app control", "9.80", "19.99"),
    ("LH-BU27-4P", "smart bulbs", "Smart Wi-Fi Bulb E27, 9 W, 4-pack", "21.50", "34.99"),
    ("LH-NL15-MN", "moon night light", "3D Moon Night Light, 15 cm, touch control", "12.30", "21.99"),
    ("LH-CH65-GN", "65 W charger", "65 W GaN Charger, 3 ports, EU plug", "16.90", "27.99"),
    ("LH-CB2M-C", "USB-C cable", "Braided USB-C Cable, 2 m, 100 W", "2.99", "8.99"),
    ("LH-RL10-TP", "ring light", "10-inch Ring Light with Tripod and Phone Holder", "14.75", "24.99"),
    ("LH-LS01-AL", "laptop stand", "Aluminium Laptop Stand, adjustable, silver", "13.40", "25.99"),
    ("LH-MS01-WL", "wireless mouse", "Silent Wireless Mouse, 2.4 GHz, grey", "6.80", "13.99"),
    ("LH-EB01-TWS", "wireless earbuds", "TWS Bluetooth 5.3 Earbuds with charging case", "11.99", "22.99"),
    ("LH-FL10-WW", "fairy lights", "Fairy String Lights 10 m, warm white, USB", "5.49", "11.99"),
    ("LH-WC01-LED", "LED wall clock", "Digital LED Wall Clock with date and temperature", "15.60", "26.99"),
    ("LH-HU30-MN", "mini humidifier", "Mini Humidifier 300 ml with night light", "8.70", "17.99"),
    ("LH-SG06-SL", "solar garden lights", "Solar Garden Lights, stainless steel, 6-pack", "19.90", "32.99"),
    ("LH-SP01-ST", "star projector", "Galaxy Star Projector Night Light with speaker", "17.20", "29.99"),
    ("LH-MS03-PIR", "motion sensor lights", "Motion Sensor Cabinet Light, rechargeable, 3-pack", "10.50", "19.99"),
)
# (carrier or logistics channel, tracking pattern: # is a digit), weight
CARRIERS = {
    Marketplace.ALIEXPRESS: (
        ("Cainiao Standard Shipping", "LP00############", 35), ("YunExpress", "YT################", 20),
        ("4PX", "4PX300##########CN", 15), ("China Post Registered Air Mail", "RR#########CN", 10),
        ("Cainiao Super Economy Global", "LP00############", 12), ("DHL eCommerce", "GM##################", 8),
    ),
    Marketplace.AMAZON: (
        ("DHL Paket", "00340434############", 35), ("DPD", "0##############", 20),
        ("Hermes", "H100##############", 15), ("GLS", "###########", 10),
        ("Amazon Logistics", "DE##########", 15), ("YunExpress", "YT################", 5),
    ),
}
# Days from payment to shipping, from shipping to delivery, from delivery to completion.
TRANSIT_DAYS = {Marketplace.ALIEXPRESS: (8, 25), Marketplace.AMAZON: (1.5, 5)}
BUYER_COUNTRIES = {
    Marketplace.ALIEXPRESS: {"RU": 18, "BR": 12, "ES": 8, "MX": 4, "CL": 2, "FR": 8, "BE": 1, "US": 8, "GB": 3,
                             "AU": 2, "CA": 2, "PL": 7, "KR": 6, "DE": 4, "IT": 4, "NL": 3, "PT": 2, "BY": 2,
                             "KZ": 2, "CH": 1, "AT": 1},
    Marketplace.AMAZON: {"DE": 35, "AT": 4, "FR": 15, "BE": 2, "IT": 12, "ES": 12, "NL": 8, "PL": 6, "GB": 4},
}
COUNTRY_LANGUAGE = {"US": "en", "GB": "en", "AU": "en", "CA": "en", "RU": "ru", "BY": "ru", "KZ": "ru", "ES": "es",
                    "MX": "es", "CL": "es", "BR": "pt", "PT": "pt", "FR": "fr", "BE": "fr", "DE": "de", "AT": "de",
                    "CH": "de", "PL": "pl", "KR": "ko", "IT": "it", "NL": "nl"}
BABEL_LOCALES = {"en": "en_US", "ru": "ru_RU", "es": "es_ES", "fr": "fr_FR", "pt": "pt_BR", "de": "de_DE",
                 "pl": "pl_PL", "ko": "ko_KR", "it": "it_IT", "nl": "nl_NL"}
AMAZON_DOMAINS = {"DE": "amazon.de", "AT": "amazon.de", "FR": "amazon.fr", "BE": "amazon.fr", "IT": "amazon.it",
                  "ES": "amazon.es", "NL": "amazon.nl", "PL": "amazon.pl", "GB": "amazon.co.uk"}
BUYER_NAMES = {
    "en": ("James Carter", "Emily Johnson", "Oliver Brown", "Sophie Taylor", "Michael Davis", "Grace Wilson"),
    "ru": ("Иван Петров", "Ольга Смирнова", "Дмитрий Кузнецов", "Анна Волкова", "Сергей Попов", "Елена Соколова"),
    "es": ("Carlos García", "Lucía Martínez", "Javier López", "María Fernández", "Diego Sánchez", "Valentina Rojas"),
    "pt": ("João Silva", "Ana Souza", "Pedro Oliveira", "Mariana Costa", "Lucas Pereira", "Beatriz Almeida"),
    "fr": ("Camille Dubois", "Julien Martin", "Chloé Bernard", "Thomas Petit", "Léa Moreau", "Nicolas Laurent"),
    "de": ("Lukas Müller", "Anna Schmidt", "Jonas Weber", "Lea Fischer", "Felix Wagner", "Laura Becker"),
    "pl": ("Piotr Kowalski", "Katarzyna Nowak", "Tomasz Wiśniewski", "Agnieszka Wójcik", "Michał Kamiński",
           "Magdalena Lewandowska"),
    "ko": ("김민준", "이서연", "박지훈", "최수아", "정우진", "강하은"),
    "it": ("Marco Rossi", "Giulia Bianchi", "Luca Romano", "Francesca Colombo", "Alessandro Ricci", "Chiara Marino"),
    "nl": ("Daan de Vries", "Emma Jansen", "Sem Bakker", "Julia Visser", "Lucas Smit", "Sanne Meijer"),
}
# The buyer's national post, for return parcels.
RETURN_POSTS = {"US": "USPS", "GB": "Royal Mail", "AU": "Australia Post", "CA": "Canada Post", "RU": "Russian Post",
                "BY": "Belpochta", "KZ": "Kazpost", "ES": "Correos", "MX": "Correos de México",
                "CL": "Correos de Chile", "BR": "Correios", "PT": "CTT", "FR": "La Poste", "BE": "bpost",
                "DE": "DHL Retoure", "AT": "Österreichische Post", "CH": "Swiss Post", "PL": "Poczta Polska",
                "KR": "Korea Post", "IT": "Poste Italiane", "NL": "PostNL"}

# Conversations ------------------------------------------------------------------------
class Topic(NamedTuple):
    category: str
    priority: str
    subject: str
    reply: str  # key of REPLY_TEXTS
    sensitive: bool  # starts the sensitive-message escalation clock
    weight: int
    resolve_rate: float  # share of answered tickets that end resolved


TOPICS = {
    "where_is": Topic(TicketCategory.LOGISTICS, Priority.YELLOW, "Where is my order?", "logistics", False, 24, .3),
    "customs": Topic(TicketCategory.LOGISTICS, Priority.YELLOW, "Parcel held by customs", "logistics", False, 6, .4),
    "damaged": Topic(TicketCategory.QUALITY, Priority.RED, "Item arrived damaged", "quality", False, 12, .6),
    "wrong_item": Topic(TicketCategory.NOT_AS_DESCRIBED, Priority.YELLOW, "Wrong colour or size", "quality", False,
                        10, .5),
    "refund_request": Topic(TicketCategory.RETURN_REFUND, Priority.RED, "Wants to return it for a refund", "refund",
                            True, 9, .4),
    "review_threat": Topic(TicketCategory.OTHER, Priority.RED, "Threatens a 1-star review and a chargeback", "refund",
                           True, 5, .3),
    "address_change": Topic(TicketCategory.ORDER_CHANGE, Priority.BLUE, "Change of delivery address", "address",
                            False, 8, .9),
    "thanks": Topic(TicketCategory.FEEDBACK, Priority.BLUE, "Thank-you note", "thanks", False, 8, .95),
}
SENSITIVE_TOPICS = tuple(name for name, topic in TOPICS.items() if topic.sensitive)

BUYER_TEXTS = {
    "where_is": {
        "en": "Hello, I ordered the {item} ({order}) weeks ago and it still hasn't arrived. Tracking {tracking} has "
              "not moved for 10 days. Where is my parcel?",
        "ru": "Здравствуйте! Заказ {order} ({item}) до сих пор не пришёл. Трек-номер {tracking} не обновляется уже "
              "10 дней. Где моя посылка?",
        "es": "Hola, mi pedido {order} ({item}) todavía no ha llegado. El seguimiento {tracking} no se actualiza "
              "desde hace 10 días. ¿Dónde está mi paquete?",
        "fr": "Bonjour, ma commande {order} ({item}) n'est toujours pas arrivée. Le suivi {tracking} ne bouge plus "
              "depuis 10 jours. Où est mon colis ?",
        "pt": "Olá, meu pedido {order} ({item}) ainda não chegou. O rastreio {tracking} não atualiza há 10 dias. "
              "Onde está a minha encomenda?",
        "de": "Hallo, meine Bestellung {order} ({item}) ist immer noch nicht angekommen. Die Sendungsverfolgung "
              "{tracking} zeigt seit 10 Tagen nichts Neues. Wo ist mein Paket?",
        "pl": "Dzień dobry, moje zamówienie {order} ({item}) wciąż nie dotarło. Numer śledzenia {tracking} nie "
              "zmienia się od 10 dni. Gdzie jest moja paczka?",
        "ko": "안녕하세요. 주문 {order} ({item})이 아직 도착하지 않았습니다. 운송장 번호 {tracking}가 10일째 "
              "업데이트되지 않아요. 제 택배는 어디에 있나요?",
        "it": "Buongiorno, il mio ordine {order} ({item}) non è ancora arrivato. Il tracciamento {tracking} è fermo "
              "da 10 giorni. Dov'è il mio pacco?",
        "nl": "Hallo, mijn bestelling {order} ({item}) is nog steeds niet aangekomen. De tracking {tracking} staat "
              "al 10 dagen stil. Waar is mijn pakket?",
    },
    "customs": {
        "en": "My parcel {tracking} is stuck at customs and they ask me to pay import tax. Nobody told me about "
              "this. What should I do?",
        "ru": "Моя посылка {tracking} застряла на таможне, с меня требуют пошлину. Меня об этом никто не "
              "предупредил. Что делать?",
        "es": "Mi paquete {tracking} está retenido en aduana y me piden pagar impuestos. Nadie me avisó. ¿Qué hago?",
        "fr": "Mon colis {tracking} est bloqué en douane et on me demande de payer des taxes. Personne ne m'a "
              "prévenu. Que dois-je faire ?",
        "pt": "Minha encomenda {tracking} está retida na alfândega e estão cobrando imposto. Ninguém me avisou. "
              "O que devo fazer?",
        "de": "Mein Paket {tracking} hängt beim Zoll fest und ich soll Einfuhrabgaben zahlen. Davon stand nichts "
              "in der Beschreibung. Was soll ich tun?",
        "pl": "Moja paczka {tracking} utknęła w urzędzie celnym i żądają ode mnie cła. Nikt mnie o tym nie "
              "poinformował. Co mam zrobić?",
        "ko": "택배 {tracking}가 세관에 묶여 있고 관세를 내라고 합니다. 이런 안내는 없었어요. 어떻게 해야 하나요?",
        "it": "Il mio pacco {tracking} è bloccato in dogana e mi chiedono di pagare i dazi. Nessuno mi aveva "
              "avvisato. Cosa devo fare?",
        "nl": "Mijn pakket {tracking} zit vast bij de douane en ik moet invoerrechten betalen. Dat stond nergens. "
              "Wat moet ik doen?",
    },
    "damaged": {
        "en": "The {item} from order {order} arrived broken, the box was crushed. I attached photos. Please help.",
        "ru": "Товар «{item}» из заказа {order} пришёл разбитым, коробка была смята. Фото прикрепил. Помогите, "
              "пожалуйста.",
        "es": "El artículo «{item}» del pedido {order} llegó roto, la caja estaba aplastada. Adjunto fotos. Por "
              "favor, ayúdenme.",
        "fr": "L'article « {item} » de la commande {order} est arrivé cassé, le carton était écrasé. Je joins des "
              "photos. Merci de m'aider.",
        "pt": "O produto \"{item}\" do pedido {order} chegou quebrado, a caixa estava amassada. Enviei fotos. Por "
              "favor, me ajudem.",
        "de": "Der Artikel „{item}“ aus Bestellung {order} kam kaputt an, der Karton war eingedrückt. Fotos hänge "
              "ich an. Bitte helfen Sie mir.",
        "pl": "Produkt „{item}” z zamówienia {order} przyszedł uszkodzony, karton był zgnieciony. Załączam "
              "zdjęcia. Proszę o pomoc.",
        "ko": "주문 {order}의 상품 '{item}'이(가) 파손된 상태로 도착했습니다. 상자가 찌그러져 있었어요. 사진 "
              "첨부합니다. 도와주세요.",
        "it": "L'articolo «{item}» dell'ordine {order} è arrivato rotto, la scatola era schiacciata. Allego le "
              "foto. Aiutatemi, per favore.",
        "nl": "Het artikel '{item}' uit bestelling {order} kwam kapot aan, de doos was ingedeukt. Foto's heb ik "
              "bijgevoegd. Kunt u mij helpen?",
    },
    "wrong_item": {
        "en": "I ordered the {item} but received a different colour, and the size is not as in the description. "
              "Order {order}.",
        "ru": "Я заказывал «{item}», но пришёл другой цвет, и размер не соответствует описанию. Заказ {order}.",
        "es": "Pedí «{item}» pero recibí otro color y el tamaño no coincide con la descripción. Pedido {order}.",
        "fr": "J'ai commandé « {item} » mais j'ai reçu une autre couleur et la taille ne correspond pas à la "
              "description. Commande {order}.",
        "pt": "Comprei \"{item}\" mas recebi outra cor e o tamanho não é o da descrição. Pedido {order}.",
        "de": "Ich habe „{item}“ bestellt, aber eine andere Farbe bekommen, und die Größe stimmt nicht mit der "
              "Beschreibung überein. Bestellung {order}.",
        "pl": "Zamówiłem „{item}”, ale dostałem inny kolor, a rozmiar nie zgadza się z opisem. Zamówienie {order}.",
        "ko": "'{item}'을(를) 주문했는데 다른 색상이 왔고 크기도 설명과 다릅니다. 주문번호 {order}.",
        "it": "Ho ordinato «{item}» ma ho ricevuto un altro colore e la misura non corrisponde alla descrizione. "
              "Ordine {order}.",
        "nl": "Ik heb '{item}' besteld, maar kreeg een andere kleur en de maat klopt niet met de beschrijving. "
              "Bestelling {order}.",
    },
    "refund_request": {
        "en": "I want to return the {item} and get a full refund for order {order}. It does not work at all.",
        "ru": "Хочу вернуть «{item}» и получить полный возврат денег за заказ {order}. Товар вообще не работает.",
        "es": "Quiero devolver «{item}» y recibir el reembolso completo del pedido {order}. No funciona en absoluto.",
        "fr": "Je veux retourner « {item} » et être remboursé intégralement pour la commande {order}. Il ne "
              "fonctionne pas du tout.",
        "pt": "Quero devolver \"{item}\" e receber o reembolso total do pedido {order}. Não funciona de jeito "
              "nenhum.",
        "de": "Ich möchte „{item}“ zurückschicken und den vollen Betrag für Bestellung {order} erstattet bekommen. "
              "Es funktioniert überhaupt nicht.",
        "pl": "Chcę zwrócić „{item}” i otrzymać pełny zwrot pieniędzy za zamówienie {order}. W ogóle nie działa.",
        "ko": "'{item}'을(를) 반품하고 주문 {order}에 대해 전액 환불받고 싶습니다. 전혀 작동하지 않아요.",
        "it": "Voglio restituire «{item}» e ottenere il rimborso completo dell'ordine {order}. Non funziona per "
              "niente.",
        "nl": "Ik wil '{item}' retourneren en het volledige bedrag van bestelling {order} terugkrijgen. Het werkt "
              "helemaal niet.",
    },
    "review_threat": {
        "en": "This is the third time I write! If I don't get my money back today I will leave a 1-star review and "
              "call my bank. Order {order}.",
        "ru": "Пишу уже третий раз! Если сегодня не вернёте деньги, оставлю отзыв на 1 звезду и обращусь в банк. "
              "Заказ {order}.",
        "es": "¡Es la tercera vez que escribo! Si hoy no me devuelven el dinero dejaré una reseña de 1 estrella y "
              "reclamaré al banco. Pedido {order}.",
        "fr": "C'est la troisième fois que j'écris ! Si je ne suis pas remboursé aujourd'hui, je laisse un avis 1 "
              "étoile et je contacte ma banque. Commande {order}.",
        "pt": "É a terceira vez que escrevo! Se não devolverem meu dinheiro hoje vou deixar avaliação de 1 estrela "
              "e abrir reclamação no banco. Pedido {order}.",
        "de": "Ich schreibe jetzt zum dritten Mal! Wenn ich heute nicht mein Geld zurückbekomme, gibt es eine "
              "1-Stern-Bewertung und ich schalte meinen Anwalt ein. Bestellung {order}.",
        "pl": "Piszę już trzeci raz! Jeśli dziś nie oddacie pieniędzy, wystawię ocenę 1 gwiazdka i zgłoszę sprawę "
              "do banku. Zamówienie {order}.",
        "ko": "벌써 세 번째 문의입니다! 오늘 환불해 주지 않으면 별점 1점 리뷰를 남기고 카드사에 신고하겠습니다. "
              "주문 {order}.",
        "it": "È la terza volta che scrivo! Se oggi non mi rimborsate lascio una recensione da 1 stella e mi "
              "rivolgo alla banca. Ordine {order}.",
        "nl": "Dit is de derde keer dat ik schrijf! Als ik vandaag mijn geld niet terugkrijg, geef ik 1 ster en "
              "neem ik contact op met mijn bank. Bestelling {order}.",
    },
    "address_change": {
        "en": "Hi, can I still change the delivery address for order {order}? I moved last week.",
        "ru": "Здравствуйте, можно ли ещё изменить адрес доставки для заказа {order}? Я переехал на прошлой неделе.",
        "es": "Hola, ¿todavía puedo cambiar la dirección de entrega del pedido {order}? Me mudé la semana pasada.",
        "fr": "Bonjour, puis-je encore modifier l'adresse de livraison de la commande {order} ? J'ai déménagé la "
              "semaine dernière.",
        "pt": "Oi, ainda posso mudar o endereço de entrega do pedido {order}? Me mudei semana passada.",
        "de": "Hallo, kann ich die Lieferadresse für Bestellung {order} noch ändern? Ich bin letzte Woche umgezogen.",
        "pl": "Dzień dobry, czy mogę jeszcze zmienić adres dostawy zamówienia {order}? W zeszłym tygodniu się "
              "przeprowadziłem.",
        "ko": "안녕하세요, 주문 {order}의 배송 주소를 아직 변경할 수 있나요? 지난주에 이사했습니다.",
        "it": "Ciao, posso ancora cambiare l'indirizzo di consegna dell'ordine {order}? Mi sono trasferito la "
              "settimana scorsa.",
        "nl": "Hoi, kan ik het bezorgadres van bestelling {order} nog wijzigen? Ik ben vorige week verhuisd.",
    },
    "thanks": {
        "en": "Received the {item} today, works great. Thank you!",
        "ru": "Получил «{item}» сегодня, всё отлично работает. Спасибо!",
        "es": "Hoy recibí «{item}», funciona perfecto. ¡Gracias!",
        "fr": "Reçu « {item} » aujourd'hui, ça marche très bien. Merci !",
        "pt": "Recebi \"{item}\" hoje, funciona muito bem. Obrigado!",
        "de": "Heute „{item}“ erhalten, funktioniert super. Danke!",
        "pl": "Dziś dotarł „{item}”, działa świetnie. Dziękuję!",
        "ko": "오늘 '{item}' 받았어요. 아주 잘 작동합니다. 감사합니다!",
        "it": "Ricevuto «{item}» oggi, funziona benissimo. Grazie!",
        "nl": "Vandaag '{item}' ontvangen, werkt prima. Bedankt!",
    },
    "follow_up": {
        "en": "Thanks for your answer. Is there any news?",
        "ru": "Спасибо за ответ. Есть новости?",
        "es": "Gracias por la respuesta. ¿Hay novedades?",
        "fr": "Merci pour votre réponse. Y a-t-il du nouveau ?",
        "pt": "Obrigado pela resposta. Alguma novidade?",
        "de": "Danke für die Antwort. Gibt es etwas Neues?",
        "pl": "Dziękuję za odpowiedź. Czy są jakieś nowości?",
        "ko": "답변 감사합니다. 새로운 소식이 있나요?",
        "it": "Grazie per la risposta. Ci sono novità?",
        "nl": "Bedankt voor uw antwoord. Is er al nieuws?",
    },
}
# Agent replies in the buyer's language, each with the three parts of a fast, concrete
# answer: the problem restated, a concrete solution, an action and a time.
REPLY_TEXTS = {
    "logistics": {
        "en": "Dear {name}, thank you for your patience with order {order}. Your parcel {tracking} is with "
              "{carrier} and we have opened an inquiry with them. We will update you by 17:00 tomorrow; if it is "
              "lost, we will reship it at our cost.",
        "ru": "Здравствуйте, {name}! Спасибо за терпение по заказу {order}. Ваша посылка {tracking} находится у "
              "{carrier}, мы открыли запрос перевозчику. Сообщим новости до 17:00 завтра; если посылка потеряна, "
              "отправим заказ повторно за наш счёт.",
        "es": "Estimado/a {name}, gracias por su paciencia con el pedido {order}. Su paquete {tracking} está con "
              "{carrier} y hemos abierto una reclamación. Le informaremos mañana antes de las 17:00; si se ha "
              "perdido, lo reenviaremos sin coste.",
        "fr": "Bonjour {name}, merci de votre patience concernant la commande {order}. Votre colis {tracking} est "
              "chez {carrier} et nous avons ouvert une enquête. Nous revenons vers vous demain avant 17 h ; s'il "
              "est perdu, nous le renvoyons à nos frais.",
        "pt": "Olá {name}, obrigado pela paciência com o pedido {order}. Sua encomenda {tracking} está com a "
              "{carrier} e abrimos uma investigação. Daremos notícias amanhã até as 17h; se estiver perdida, "
              "reenviamos sem custo.",
        "de": "Hallo {name}, danke für Ihre Geduld mit Bestellung {order}. Ihr Paket {tracking} ist bei {carrier}, "
              "wir haben dort einen Nachforschungsauftrag gestellt. Wir melden uns morgen bis 17 Uhr; ist es "
              "verloren, senden wir kostenlos neu.",
        "pl": "Dzień dobry {name}, dziękujemy za cierpliwość w sprawie zamówienia {order}. Paczka {tracking} jest "
              "u przewoźnika {carrier}, zgłosiliśmy reklamację. Odezwiemy się jutro do 17:00; jeśli zaginęła, "
              "wyślemy ją ponownie na nasz koszt.",
        "ko": "{name}님, 주문 {order} 관련해 기다려 주셔서 감사합니다. 택배 {tracking}는 현재 {carrier}에 있으며 "
              "배송 조회를 요청했습니다. 내일 17시까지 다시 안내드리고, 분실된 경우 무료로 재발송해 드리겠습니다.",
        "it": "Gentile {name}, grazie per la pazienza con l'ordine {order}. Il pacco {tracking} è presso {carrier} e "
              "abbiamo aperto una verifica. La aggiorniamo entro le 17:00 di domani; se è perso, lo rispediamo a "
              "nostre spese.",
        "nl": "Beste {name}, bedankt voor uw geduld met bestelling {order}. Uw pakket {tracking} is bij {carrier} "
              "en we hebben een onderzoek gestart. We laten morgen voor 17:00 van ons horen; is het kwijt, dan "
              "versturen we het gratis opnieuw.",
    },
    "quality": {
        "en": "Dear {name}, we are sorry that the {item} from order {order} arrived like this. We can refund "
              "{amount} now and you keep the item, or send a new one free of charge. Tell us which you prefer and "
              "we will arrange it within 24 hours.",
        "ru": "Здравствуйте, {name}! Нам очень жаль, что «{item}» из заказа {order} пришёл в таком виде. Можем сразу "
              "вернуть {amount}, товар остаётся у вас, или бесплатно отправить новый. Напишите, что вам удобнее, и "
              "мы всё сделаем в течение 24 часов.",
        "es": "Estimado/a {name}, lamentamos que «{item}» del pedido {order} llegara así. Podemos reembolsarle "
              "{amount} ahora y usted se queda el artículo, o enviarle uno nuevo gratis. Díganos qué prefiere y lo "
              "gestionamos en 24 horas.",
        "fr": "Bonjour {name}, nous sommes désolés que « {item} » de la commande {order} soit arrivé ainsi. Nous "
              "pouvons vous rembourser {amount} tout de suite en gardant l'article, ou vous en envoyer un neuf "
              "gratuitement. Dites-nous ce que vous préférez, nous nous en occupons sous 24 h.",
        "pt": "Olá {name}, sentimos muito que \"{item}\" do pedido {order} tenha chegado assim. Podemos reembolsar "
              "{amount} agora e você fica com o produto, ou enviar um novo sem custo. Diga o que prefere e "
              "resolvemos em 24 horas.",
        "de": "Hallo {name}, es tut uns leid, dass „{item}“ aus Bestellung {order} so angekommen ist. Wir erstatten "
              "Ihnen sofort {amount} und Sie behalten den Artikel, oder wir senden kostenlos Ersatz. Sagen Sie uns, "
              "was Ihnen lieber ist; wir erledigen es innerhalb von 24 Stunden.",
        "pl": "Dzień dobry {name}, przykro nam, że „{item}” z zamówienia {order} dotarł w takim stanie. Możemy od "
              "razu zwrócić {amount}, a produkt zostaje u Pana/Pani, albo wysłać nowy bezpłatnie. Prosimy dać znać, "
              "co Pan/Pani wybiera — załatwimy to w 24 godziny.",
        "ko": "{name}님, 주문 {order}의 '{item}'이(가) 이런 상태로 도착해 죄송합니다. 상품은 그대로 두시고 "
              "{amount}를 바로 환불해 드리거나 새 상품을 무료로 보내 드릴 수 있습니다. 원하시는 방법을 알려 "
              "주시면 24시간 안에 처리하겠습니다.",
        "it": "Gentile {name}, ci dispiace che «{item}» dell'ordine {order} sia arrivato così. Possiamo rimborsarle "
              "subito {amount} e l'articolo resta a lei, oppure spedirne uno nuovo gratis. Ci dica cosa preferisce "
              "e provvediamo entro 24 ore.",
        "nl": "Beste {name}, het spijt ons dat '{item}' uit bestelling {order} zo is aangekomen. We kunnen u nu "
              "{amount} terugbetalen en u houdt het artikel, of gratis een nieuw exemplaar sturen. Laat ons weten "
              "wat u wilt; we regelen het binnen 24 uur.",
    },
    "refund": {
        "en": "Dear {name}, we understand your frustration about order {order}. Please open the return on the "
              "order page; as soon as your return tracking number appears we will approve the full refund of "
              "{amount}. We will check your case again today before 18:00.",
        "ru": "Здравствуйте, {name}! Понимаем ваше недовольство заказом {order}. Оформите, пожалуйста, возврат на "
              "странице заказа: как только появится трек-номер возврата, мы одобрим полный возврат {amount}. "
              "Сегодня до 18:00 мы ещё раз проверим ваш случай.",
        "es": "Estimado/a {name}, entendemos su molestia con el pedido {order}. Abra la devolución en la página del "
              "pedido; en cuanto aparezca el número de seguimiento aprobaremos el reembolso completo de {amount}. "
              "Revisaremos su caso hoy antes de las 18:00.",
        "fr": "Bonjour {name}, nous comprenons votre mécontentement pour la commande {order}. Ouvrez le retour "
              "depuis la page de la commande ; dès que le numéro de suivi du retour apparaît, nous validons le "
              "remboursement complet de {amount}. Nous revoyons votre dossier aujourd'hui avant 18 h.",
        "pt": "Olá {name}, entendemos sua insatisfação com o pedido {order}. Abra a devolução na página do pedido; "
              "assim que o código de rastreio aparecer, aprovamos o reembolso total de {amount}. Vamos verificar seu "
              "caso hoje até as 18h.",
        "de": "Hallo {name}, wir verstehen Ihren Ärger über Bestellung {order}. Bitte starten Sie die Rücksendung "
              "auf der Bestellseite; sobald die Sendungsnummer der Rücksendung da ist, erstatten wir die vollen "
              "{amount}. Wir sehen uns Ihren Fall heute vor 18 Uhr noch einmal an.",
        "pl": "Dzień dobry {name}, rozumiemy niezadowolenie z zamówienia {order}. Prosimy zgłosić zwrot na stronie "
              "zamówienia; gdy pojawi się numer śledzenia zwrotu, zatwierdzimy pełny zwrot {amount}. Dziś przed "
              "18:00 ponownie sprawdzimy sprawę.",
        "ko": "{name}님, 주문 {order}에 대해 불편을 드려 죄송합니다. 주문 페이지에서 반품을 신청해 주세요. 반품 "
              "운송장 번호가 확인되는 즉시 {amount} 전액 환불을 승인하겠습니다. 오늘 18시 전에 다시 확인해 "
              "드리겠습니다.",
        "it": "Gentile {name}, comprendiamo il suo disappunto per l'ordine {order}. Apra il reso dalla pagina "
              "dell'ordine; appena compare il tracciamento del reso approviamo il rimborso completo di {amount}. "
              "Ricontrolliamo il suo caso oggi entro le 18:00.",
        "nl": "Beste {name}, we begrijpen uw ergernis over bestelling {order}. Start de retour op de bestelpagina; "
              "zodra de trackingcode van de retour zichtbaar is, keuren we de volledige terugbetaling van {amount} "
              "goed. We bekijken uw zaak vandaag voor 18:00 opnieuw.",
    },
    "address": {
        "en": "Dear {name}, order {order} has not shipped yet, so we have changed the delivery address. You will "
              "get the tracking number within 2 days.",
        "ru": "Здравствуйте, {name}! Заказ {order} ещё не отправлен, поэтому мы изменили адрес доставки. Трек-номер "
              "пришлём в течение 2 дней.",
        "es": "Estimado/a {name}, el pedido {order} aún no se ha enviado, así que hemos cambiado la dirección de "
              "entrega. Recibirá el número de seguimiento en 2 días.",
        "fr": "Bonjour {name}, la commande {order} n'est pas encore expédiée, nous avons donc modifié l'adresse de "
              "livraison. Vous recevrez le numéro de suivi sous 2 jours.",
        "pt": "Olá {name}, o pedido {order} ainda não foi enviado, então alteramos o endereço de entrega. Você "
              "receberá o código de rastreio em até 2 dias.",
        "de": "Hallo {name}, Bestellung {order} ist noch nicht versandt, daher haben wir die Lieferadresse "
              "geändert. Die Sendungsnummer erhalten Sie innerhalb von 2 Tagen.",
        "pl": "Dzień dobry {name}, zamówienie {order} nie zostało jeszcze wysłane, więc zmieniliśmy adres dostawy. "
              "Numer śledzenia prześlemy w ciągu 2 dni.",
        "ko": "{name}님, 주문 {order}는 아직 발송 전이라 배송 주소를 변경해 드렸습니다. 2일 이내에 운송장 번호를 "
              "보내 드리겠습니다.",
        "it": "Gentile {name}, l'ordine {order} non è ancora partito, quindi abbiamo cambiato l'indirizzo di "
              "consegna. Riceverà il tracciamento entro 2 giorni.",
        "nl": "Beste {name}, bestelling {order} is nog niet verzonden, dus we hebben het bezorgadres aangepast. U "
              "ontvangt de trackingcode binnen 2 dagen.",
    },
    "thanks": {
        "en": "Dear {name}, thank you for letting us know! Enjoy your {item}, and write to us any time you need help.",
        "ru": "Здравствуйте, {name}! Спасибо, что написали! Пользуйтесь с удовольствием, а если понадобится помощь — "
              "пишите в любое время.",
        "es": "Estimado/a {name}, ¡gracias por escribirnos! Que disfrute su «{item}»; escríbanos cuando necesite "
              "ayuda.",
        "fr": "Bonjour {name}, merci pour votre message ! Profitez bien de « {item} » et écrivez-nous si vous avez "
              "besoin d'aide.",
        "pt": "Olá {name}, obrigado pelo retorno! Aproveite \"{item}\" e fale conosco quando precisar.",
        "de": "Hallo {name}, vielen Dank für Ihre Nachricht! Viel Freude mit „{item}“ – melden Sie sich jederzeit, "
              "wenn Sie Hilfe brauchen.",
        "pl": "Dzień dobry {name}, dziękujemy za wiadomość! Miłego korzystania z „{item}” — w razie pytań prosimy "
              "pisać.",
        "ko": "{name}님, 소식 전해 주셔서 감사합니다! '{item}' 잘 사용하시고 도움이 필요하면 언제든 연락 주세요.",
        "it": "Gentile {name}, grazie per il messaggio! Si goda «{item}» e ci scriva quando vuole se ha bisogno.",
        "nl": "Beste {name}, bedankt voor uw bericht! Veel plezier met '{item}' en laat het ons weten als u hulp "
              "nodig hebt.",
    },
    "update": {
        "en": "Dear {name}, a quick update on order {order}: we are still on it and will write again tomorrow by "
              "17:00.",
        "ru": "Здравствуйте, {name}! Коротко по заказу {order}: мы продолжаем заниматься вопросом и напишем завтра "
              "до 17:00.",
        "es": "Estimado/a {name}, una breve actualización del pedido {order}: seguimos con ello y le escribiremos "
              "mañana antes de las 17:00.",
        "fr": "Bonjour {name}, un point rapide sur la commande {order} : nous suivons le dossier et vous "
              "récrivons demain avant 17 h.",
        "pt": "Olá {name}, uma atualização rápida do pedido {order}: continuamos acompanhando e escrevemos amanhã "
              "até as 17h.",
        "de": "Hallo {name}, kurzer Zwischenstand zu Bestellung {order}: Wir sind dran und melden uns morgen bis "
              "17 Uhr.",
        "pl": "Dzień dobry {name}, krótka informacja o zamówieniu {order}: nadal się tym zajmujemy i napiszemy "
              "jutro do 17:00.",
        "ko": "{name}님, 주문 {order} 진행 상황입니다. 계속 확인 중이며 내일 17시까지 다시 연락드리겠습니다.",
        "it": "Gentile {name}, un breve aggiornamento sull'ordine {order}: ce ne stiamo occupando e le scriviamo "
              "domani entro le 17:00.",
        "nl": "Beste {name}, een korte update over bestelling {order}: we zijn ermee bezig en schrijven u morgen "
              "voor 17:00.",
    },
}
# Internal notes, written by the (Chinese-speaking) team for each other: (language, text).
NOTE_TEXTS = {
    "logistics": (("zh-Hans", "物流10天以上没有更新，已向{carrier}提交查询，明天17:00前回复买家。"),
                  ("en", "No tracking scan for 10+ days; inquiry opened with {carrier}. Reship if not found by "
                         "Friday.")),
    "quality": (("zh-Hans", "买家发来破损照片，订单金额小，建议直接部分退款，不要求退货。"),
                ("en", "SKU {sku}: third complaint this week about the same defect; reported to QC.")),
    "refund": (("zh-Hans", "敏感消息（退款/差评/拒付威胁），已升级给主管处理。"),
               ("en", "Sensitive: buyer threatens a bad review or a chargeback. Escalated to a senior agent.")),
    "address": (("zh-Hans", "仓库确认还没发货，地址已在ERP里修改。"),
                ("en", "Warehouse confirms it has not shipped; address changed in the ERP.")),
    "thanks": (("en", "Happy buyer; good candidate for a review request after delivery."),),
    "dispute": (("zh-Hans", "纠纷已开：准备物流截图和聊天记录作为证据。"),
                ("en", "Dispute opened: collect the tracking screenshot and the chat export as evidence.")),
}
# Which buyer text a dispute's comment reuses, by reason.
DISPUTE_COMMENT_TOPIC = {
    DisputeReason.WRONG_ITEM: "wrong_item", DisputeReason.WRONG_SIZE_COLOUR: "wrong_item",
    DisputeReason.COUNTERFEIT: "wrong_item", DisputeReason.CUSTOMS_HOLD: "customs",
}
STORY_WEIGHTS = {"quiet": 38, "ticket": 34, "dispute": 16, "return": 3, "window": 9}
# The story that can carry each kind of clock.
KIND_STORY = {
    ClockKind.DISPUTE_RESPONSE: "dispute", ClockKind.REFUND_DECISION: "dispute",
    ClockKind.RETURN_SHIPMENT: "return", ClockKind.RECEIPT_CONFIRMATION: "return",
    ClockKind.FIRST_RESPONSE: "ticket", ClockKind.SENSITIVE_ESCALATION: "ticket",
    ClockKind.REFUND_WINDOW: "window", ClockKind.CHARGEBACK_WINDOW: "window",
}
CENT = Decimal("0.01")


# The report -----------------------------------------------------------------------------
@dataclass
class SeedReport:
    logins: list  # [(username, password, role label, stores)]
    stores: list  # [(code, orders created this run or None when the store was already seeded)]
    counts: dict  # {label: (created this run, total)}


def counted_models() -> dict:
    """The rows the report counts, by label."""
    return {
        "stores": Store, "store holidays": StoreHoliday, "users": User, "buyers": Buyer, "orders": Order,
        "order items": OrderItem, "tickets": Ticket, "messages": Message, "disputes": Dispute,
        "proposals": DisputeProposal, "returns": Return, "refunds": Refund, "clocks": Clock, "alerts": Alert,
        "alert receipts": AlertReceipt, "audit entries": AuditEntry,
    }


def seed_demo(*, orders_per_store: int = DEFAULT_ORDERS_PER_STORE, now: datetime | None = None) -> SeedReport:
    """Create (or find) the demo stores and team, and fill each store not yet seeded.

    1. Stores, their holidays and the users, by natural key; passwords reset.
    2. For each store without its demo orders, plan and write them in one transaction.
    3. Count what exists, for the report.
    """
    now = now or timezone.now()
    models = counted_models()
    before = {label: model.objects.count() for label, model in models.items()}
    with transaction.atomic():
        stores = [_store(spec, now) for spec in DEMO_STORES]
        users = _users({s.code: s for s in stores})
    seeded = []
    for store in stores:
        numbers = _order_numbers(store, orders_per_store)
        if Order.objects.filter(store=store, order_number__in=numbers).exists():
            seeded.append((store.code, None))
            continue
        staff = [u for u in users if store.code in _demo_user(u).stores]
        with transaction.atomic():
            _StoreSeeder(store, staff, now).run(numbers)
        seeded.append((store.code, len(numbers)))
    after = {label: model.objects.count() for label, model in models.items()}
    counts = {label: (after[label] - before[label], after[label]) for label in models}
    logins = [(u.username, spec.password, str(Role(spec.role).label), ", ".join(spec.stores) or "all stores")
              for u, spec in ((u, _demo_user(u)) for u in users)]
    return SeedReport(logins=logins, stores=seeded, counts=counts)


def _demo_user(user) -> DemoUser:
    return next(spec for spec in DEMO_USERS if spec.username == user.username)


def _store(spec: dict, now: datetime) -> Store:
    store, _ = Store.objects.get_or_create(code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"})
    year = now.astimezone(store.tzinfo).year
    for (month, day), name in DEMO_STORE_HOLIDAYS[store.code]:
        StoreHoliday.objects.get_or_create(store=store, date=date(year, month, day), defaults={"name": name})
    return store


def _users(stores: dict) -> list:
    """The demo team, with the printed passwords.

    A password is re-hashed only when the stored hash does not match it: a new hash
    (new salt) would sign every open session out at each ``make run``. Checking or
    hashing is PBKDF2 either way, most of a re-run's time, so each distinct
    (password, stored hash) pair is done once and in parallel (PBKDF2 releases the GIL).
    """
    existing = {u.username: u for u in User.objects.filter(username__in=[spec.username for spec in DEMO_USERS])}
    stored = {spec.username: existing[spec.username].password if spec.username in existing else ""
              for spec in DEMO_USERS}
    pairs = sorted({(spec.password, stored[spec.username]) for spec in DEMO_USERS if stored[spec.username]})
    valid = dict(zip(pairs, _parallel(lambda pair: check_password(*pair), pairs), strict=True))
    stale = sorted({spec.password for spec in DEMO_USERS if not valid.get((spec.password, stored[spec.username]))})
    hashed = dict(zip(stale, _parallel(make_password, stale), strict=True))
    supervisor_perms = list(Permission.objects.filter(content_type__app_label__in=SUPERVISOR_APPS))
    users = []
    for spec in DEMO_USERS:
        user = existing.get(spec.username) or User(username=spec.username)
        user.role, user.first_name, user.last_name = spec.role, spec.first_name, spec.last_name
        user.email = f"{spec.username}@lumen-home.example"
        user.is_staff, user.is_superuser, user.is_active = spec.is_staff, spec.is_superuser, True
        if not valid.get((spec.password, stored[spec.username])):
            user.password = hashed[spec.password]
        user.save()
        user.stores.set([stores[code] for code in spec.stores])
        if spec.role == Role.SUPERVISOR:
            user.user_permissions.set(supervisor_perms)
        users.append(user)
    return users


def _parallel(function, items: list) -> list:
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(function, items))


def _order_numbers(store: Store, count: int) -> list:
    """The store's demo order numbers: a fixed sequence, so a store that already has
    them is recognised whatever ``--orders`` was used the first time."""
    rng = random.Random(f"{DEMO_SEED}:{store.code}:numbers")  # noqa: S311 - demo data, not secrets
    numbers, seen = [], set()
    while len(numbers) < count:
        if store.marketplace == Marketplace.AMAZON:
            number = f"30{rng.randint(2, 6)}-{rng.randint(10**6, 10**7 - 1)}-{rng.randint(10**6, 10**7 - 1)}"
        else:
            number = f"81{rng.randint(10**13, 10**14 - 1)}"
        if number not in seen:
            seen.add(number)
            numbers.append(number)
    return numbers


def clock_fate(*, due_at: datetime, now: datetime, done_at: datetime | None = None,
               cancelled_at: datetime | None = None) -> tuple:
    """(state, when) of a clock given its subject's timeline: met if the event came in
    time, cancelled if the clock stopped applying first, still running while due in the
    future or lapsed less than LAPSED_GRACE ago without its event, else breached."""
    if cancelled_at is not None and cancelled_at <= now and cancelled_at < due_at and (
            done_at is None or cancelled_at < done_at):
        return ClockState.CANCELLED, cancelled_at
    if done_at is not None and done_at <= now and done_at <= due_at:
        return ClockState.MET, done_at
    if due_at > now or (done_at is None and now - due_at < LAPSED_GRACE):
        return ClockState.RUNNING, None
    return ClockState.BREACHED, due_at


def ticket_path(events: list, *, start_open: bool) -> list:
    """The ticket statuses to walk through, in order, for dated ``events`` of
    (datetime or None, status); events the workflow does not allow are skipped."""
    path, current = [], TicketStatus.NEW
    steps = sorted((at, status) for at, status in events if at is not None)
    if start_open or steps:
        steps.insert(0, (None, TicketStatus.OPEN))
    for _, status in steps:
        if status != current and status in TICKET_TRANSITIONS[current]:
            path.append(status)
            current = status
    return path


# Planning: a story per order, the order's dates worked back from it ----------------------
@dataclass
class _TicketPlan:
    topic: str
    t0: datetime  # the buyer's first message
    first_length: timedelta
    in_hours: bool
    reply_at: datetime | None = None
    escalated_at: datetime | None = None
    followup_at: datetime | None = None
    second_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    offer: Decimal | None = None  # goodwill refund offered in the reply, paid when resolved
    unassigned: bool = False
    start_open: bool = False


@dataclass
class _DisputePlan:
    external_id: str
    family: str
    reason: str
    solution: str
    requested: Decimal
    opened_at: datetime | None = None
    response_at: datetime | None = None
    decided_at: datetime | None = None
    review_at: datetime | None = None
    resolved_at: datetime | None = None
    outcome: str = ""
    seller_offer: Decimal | None = None
    buyer_counter: tuple | None = None  # (amount, at)
    platform_offer: tuple | None = None  # (amount, at)
    refund: tuple | None = None  # (amount, at, reason, source)
    accepted: str = ""  # the party whose last offer was accepted
    cancel_decision_at: datetime | None = None

    @property
    def buyer_ask(self) -> Decimal:
        """What the buyer asks for now: the counter-offer if any, else the request."""
        return self.buyer_counter[0] if self.buyer_counter else self.requested


@dataclass
class _ReturnPlan:
    external_id: str
    carrier: str
    tracking: str
    agreed_at: datetime | None = None
    tracking_at: datetime | None = None
    received_at: datetime | None = None
    refunded_at: datetime | None = None
    lapsed_at: datetime | None = None
    auto_refunded_at: datetime | None = None


@dataclass
class _OrderPlan:
    number: str
    buyer: Buyer
    lines: list  # [(catalogue row, quantity)]
    total: Decimal
    times: dict = field(default_factory=dict)
    status: str = OrderStatus.PAID
    carrier: str = ""
    tracking: str = ""
    closed_at: datetime | None = None  # a window met: the order closed
    window: str = ""  # the order's window clock kind, if any
    ticket: _TicketPlan | None = None
    dispute: _DisputePlan | None = None
    ret: _ReturnPlan | None = None
    # The rows written for it.
    order: Order | None = None
    ticket_obj: Ticket | None = None
    first_message: Message | None = None
    followup_message: Message | None = None
    dispute_ticket: Ticket | None = None
    dispute_obj: Dispute | None = None
    return_obj: Return | None = None
    dispute_ticket_end: datetime | None = None
    last_refund_at: datetime | None = None


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def _days(value: float) -> timedelta:
    return timedelta(days=value)


class _StoreSeeder:
    """Plans and writes one store's demo orders and everything that follows them."""

    def __init__(self, store: Store, staff: list, now: datetime):
        self.store, self.now = store, now
        self.rng = random.Random(f"{DEMO_SEED}:{store.code}")  # noqa: S311 - demo data, not secrets
        self.tz = store.tzinfo
        self.market = store.marketplace
        self.currency = "EUR" if self.market == Marketplace.AMAZON else "USD"
        self.price_index = 4 if self.market == Marketplace.AMAZON else 3  # the CATALOG column
        self.agents = [u for u in staff if u.role in (Role.AGENT, Role.SENIOR_AGENT)]
        self.supervisors = [u for u in staff if u.role == Role.SUPERVISOR]
        self.senior = next((u for u in staff if u.role == Role.SENIOR_AGENT), None) or self.supervisors[0]
        years = range(now.year - 1, now.year + 2)
        try:
            days_off = set(holidays.country_holidays(store.holiday_country, years=years)) if store.holiday_country \
                else set()
        except NotImplementedError:
            days_off = set()
        self.days_off = days_off | set(store.holidays.values_list("date", flat=True))
        self.ids: set = set()
        self.clocks: list = []  # (clock, owner, subject label), for the alerts

    def run(self, numbers: list) -> None:
        self.write(self.plan(numbers))

    # -- random helpers ----------------------------------------------------------------
    def _u(self, lo: float, hi: float) -> float:
        return self.rng.uniform(lo, hi)

    def _pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _fill(self, pattern: str) -> str:
        """``pattern`` with each # replaced by a digit and each * by a letter or digit."""
        pools = {"#": "0123456789", "*": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}
        return "".join(self.rng.choice(pools[ch]) if ch in pools else ch for ch in pattern)

    def _unique(self, pattern: str) -> str:
        while (value := self._fill(pattern)) in self.ids:
            pass
        self.ids.add(value)
        return value

    def _share(self, amount: Decimal, lo: float, hi: float) -> Decimal:
        part = (amount * Decimal(str(round(self._u(lo, hi), 4)))).quantize(CENT, ROUND_HALF_UP)
        return max(CENT, min(part, amount))

    def _past(self, when: datetime | None) -> datetime | None:
        """``when`` if it has already happened, else None."""
        return when if when is not None and when <= self.now else None

    # -- time rules ----------------------------------------------------------------------
    def in_working_hours(self, when: datetime) -> bool:
        local = when.astimezone(self.tz)
        return (str(local.isoweekday()) in self.store.working_days and local.date() not in self.days_off
                and self.store.work_start <= local.time() < self.store.work_end)

    def first_response_length(self, when: datetime) -> timedelta:
        if self.in_working_hours(when):
            return DEMO_CLOCK_LENGTHS[ClockKind.FIRST_RESPONSE]
        return DEMO_FIRST_RESPONSE_OUTSIDE_HOURS

    def start_for_stage(self, kind: str, stage: str, *, length: timedelta | None = None,
                        met_share: tuple = (0.05, 0.9)) -> tuple:
        """When a clock of ``kind`` must have started to be at ``stage`` now; for MET,
        also when its event came (a share ``met_share`` of its length in)."""
        length = length or DEMO_CLOCK_LENGTHS[kind]
        warn = DEMO_CLOCK_ALERTS[kind][0]
        now = self.now
        if stage == MET:
            offset = length * self._u(*met_share)
            started = now - offset - timedelta(minutes=self._u(10, 20 * 24 * 60))
            return started, started + offset
        if stage == AHEAD:
            due = now + warn + (length - warn) * self._u(0.1, 0.9)
        elif stage == NEAR:  # warning already passed, due within three hours
            high = min(_hours(3), warn * 0.95)
            low = min(_hours(1), high / 2)
            due = now + low + (high - low) * self._u(0, 1)
        elif stage == LAPSED:
            due = now - timedelta(minutes=self._u(20, 600))
        else:
            due = now - _days(self._u(1, 30))
        return due - length, None

    def buyer_message_start(self, stage: str) -> tuple:
        """A first message whose working-hours clock (3 or 6 hours) is at ``stage``.
        Tries both lengths; in the few hours after work ends neither may fit NEAR."""
        lengths = (DEMO_CLOCK_LENGTHS[ClockKind.FIRST_RESPONSE], DEMO_FIRST_RESPONSE_OUTSIDE_HOURS)
        for attempt in range(12):
            length = lengths[attempt % 2]
            started, met_at = self.start_for_stage(ClockKind.FIRST_RESPONSE, stage, length=length)
            if self.first_response_length(started) == length:
                return started, length, met_at
        # No fit: keep the last start with its true length (a MET reply stays in time).
        length = self.first_response_length(started)
        return started, length, met_at and min(met_at, started + length)

    def timeline(self, anchor: str, at: datetime, *, stop: str = "", not_before: dict | None = None) -> dict:
        """An order's platform dates with ``anchor`` (paid, shipped, delivered or
        completed) at ``at``: gaps are drawn, earlier dates worked back, later ones
        forward; nothing after ``stop`` or after now happens."""
        steps = ("paid", "shipped", "delivered", "completed")
        transit = TRANSIT_DAYS[self.market]
        gaps = {"shipped": _days(self._u(0.5, 4)), "delivered": _days(self._u(*transit)),
                "completed": _days(self._u(1, 12))}
        paid = at - sum((gaps[s] for s in steps[1:steps.index(anchor) + 1]), timedelta())
        times, current = {"placed": paid - timedelta(minutes=self._u(2, 90)), "paid": paid}, paid
        for step in steps[1:]:
            current = current + gaps[step]
            if not_before and step in not_before:
                current = max(current, not_before[step])
            times[step] = current
        cut = False
        for step in steps:
            cut = cut or times[step] > self.now
            if cut:
                times[step] = None
            cut = cut or step == stop
        return times

    # -- the plan --------------------------------------------------------------------------
    def plan(self, numbers: list) -> list:
        """One story per order: first one per clock kind and stage (interleaved so a
        small ``--orders`` still covers every kind and every stage), then random ones.
        The first block also pins a few outcomes (a dispute under platform review, a
        return received but not yet refunded) that chance alone might skip."""
        kinds = list(ClockKind)
        specs = [(KIND_STORY[kind], kind, STAGES[(j + k) % len(STAGES)])
                 for j in range(len(STAGES)) for k, kind in enumerate(kinds)]
        buyers, plans = [], []
        for i, number in enumerate(numbers):
            pinned = i < len(specs)
            if pinned:
                story, kind, stage = specs[i]
            else:
                story = self._pick(STORY_WEIGHTS)
                kind = self.rng.choice([k for k in kinds if KIND_STORY[k] == story]) if story != "quiet" else ""
                stage = self._pick(STAGE_WEIGHTS)
            if buyers and self.rng.random() < 0.15:  # a returning buyer
                buyer = self.rng.choice(buyers)
            else:
                buyer = self._buyer()
                buyers.append(buyer)
            plans.append(self._plan_order(number, buyer, story, kind, stage, pinned=pinned))
        return plans

    def _buyer(self) -> Buyer:
        country = self._pick(BUYER_COUNTRIES[self.market])
        language = COUNTRY_LANGUAGE[country]
        name = self.rng.choice(BUYER_NAMES[language])
        if self.market == Marketplace.AMAZON:  # Amazon shows an id like A2Q3Y263D00KWC and a relay address
            buyer_id = self._unique("A" + "*" * 13)
            email = f"{self._fill('*' * 14).lower()}@marketplace.{AMAZON_DOMAINS.get(country, 'amazon.de')}"
        else:
            buyer_id, email = self._unique(f"{country.lower()}##########"), ""
        return Buyer(store=self.store, platform_buyer_id=buyer_id, name=name, country=country, language=language,
                     email=email)

    def _plan_order(self, number: str, buyer: Buyer, story: str, kind: str, stage: str, *,
                    pinned: bool = False) -> _OrderPlan:
        lines = [(row, self.rng.choices((1, 2, 3), weights=(75, 20, 5))[0])
                 for row in self.rng.sample(CATALOG, self.rng.choices((1, 2, 3), weights=(65, 25, 10))[0])]
        total = sum((Decimal(row[self.price_index]) * qty for row, qty in lines), Decimal("0.00"))
        plan = _OrderPlan(number=number, buyer=buyer, lines=lines, total=total)
        if story == "ticket":
            plan.ticket = self._plan_ticket(kind, stage, total)
            plan.times = self._ticket_order_times(plan.ticket)
        elif story == "dispute":
            plan.dispute = self._plan_dispute(total, kind, stage, pinned=pinned)
            plan.times = self._dispute_order_times(plan.dispute)
        elif story == "return":
            plan.ret, plan.dispute = self._plan_return(total, buyer, kind, stage, pinned=pinned)
            plan.times = self._dispute_order_times(plan.dispute)
        elif story == "window":
            plan.window = kind
            if kind == ClockKind.REFUND_WINDOW:
                started, met_at = self.start_for_stage(kind, stage)
                plan.times = self.timeline("completed", started)
            else:  # closed well after completion, when the payout settled
                started, met_at = self.start_for_stage(kind, stage, met_share=(0.35, 0.95))
                plan.times = self.timeline("paid", started)
            plan.closed_at = met_at
        else:
            roll = self.rng.random()
            if roll < 0.05:
                plan.status = OrderStatus.CANCELLED
                plan.times = {"placed": self.now - _days(self._u(1, 90))}
            elif roll < 0.08:
                plan.status = OrderStatus.AWAITING_PAYMENT
                plan.times = {"placed": self.now - _hours(self._u(0.1, 20))}
            else:
                plan.times = self.timeline("paid", self.now - _days(200 * self._u(0, 1) ** 1.6))
        for step, status in (("paid", OrderStatus.PAID), ("shipped", OrderStatus.SHIPPED),
                             ("delivered", OrderStatus.DELIVERED), ("completed", OrderStatus.COMPLETED)):
            if plan.times.get(step):
                plan.status = status
        if plan.times.get("shipped"):
            carriers = CARRIERS[self.market]
            carrier, pattern, _ = self.rng.choices(carriers, weights=[c[2] for c in carriers])[0]
            plan.carrier, plan.tracking = carrier, self._unique(pattern)
        return plan

    def _plan_ticket(self, kind: str, stage: str, total: Decimal) -> _TicketPlan:
        """A buyer conversation whose ``kind`` clock (first response or sensitive
        escalation) is at ``stage``; the other clocks follow from the same dates."""
        rng = self.rng
        sensitive_kind = ClockKind.SENSITIVE_ESCALATION
        if kind == sensitive_kind:
            topic = rng.choice(SENSITIVE_TOPICS)
            t0, met_at = self.start_for_stage(kind, stage)
            length = self.first_response_length(t0)
        else:
            topic = self._pick({name: t.weight for name, t in TOPICS.items()})
            t0, length, met_at = self.buyer_message_start(stage)
        plan = _TicketPlan(topic=topic, t0=t0, first_length=length, in_hours=self.in_working_hours(t0))
        info = TOPICS[topic]
        # 1. The agent's first written reply.
        if kind == ClockKind.FIRST_RESPONSE:
            if stage == MET:
                plan.reply_at = met_at
            elif stage == BREACHED:
                plan.reply_at = self._past(t0 + length + _hours(self._u(0.5, 30)))
        elif stage in (BREACHED, MET) or (stage == LAPSED and rng.random() < 0.6):
            plan.reply_at = self._past(t0 + length * self._u(0.05, 0.9))
        # 2. A sensitive message escalated to a senior agent (or not, or late).
        if info.sensitive:
            due = t0 + DEMO_CLOCK_LENGTHS[sensitive_kind]
            if kind == sensitive_kind:
                if stage == MET:
                    plan.escalated_at = met_at
                elif stage == BREACHED and rng.random() < 0.5:
                    plan.escalated_at = self._past(due + _hours(self._u(1, 48)))
            elif rng.random() < 0.7:
                plan.escalated_at = self._past(t0 + timedelta(minutes=self._u(5, 150)))
        # 3. What happened next: resolved, or the buyer wrote again.
        if plan.reply_at:
            last = max(filter(None, (plan.reply_at, plan.escalated_at)))
            if rng.random() < info.resolve_rate:
                plan.resolved_at = self._past(last + _hours(self._u(0.5, 72)))
            if plan.resolved_at is None and rng.random() < 0.35:
                plan.followup_at = self._past(last + _hours(self._u(1, 48)))
                if plan.followup_at and rng.random() < 0.6:
                    follow_length = self.first_response_length(plan.followup_at)
                    plan.second_reply_at = self._past(plan.followup_at + follow_length * self._u(0.1, 1.3))
        if topic in ("damaged", "wrong_item"):
            # Small orders are refunded at once without a return; larger ones in part.
            plan.offer = total if total < 20 else self._share(total, 0.2, 0.4)
        plan.unassigned = not (plan.reply_at or plan.escalated_at) and rng.random() < 0.4
        plan.start_open = not plan.unassigned and rng.random() < 0.5
        return plan

    def _ticket_order_times(self, ticket: _TicketPlan) -> dict:
        t0, transit = ticket.t0, TRANSIT_DAYS[self.market]
        if ticket.topic in ("where_is", "customs"):
            shipped = t0 - _days(self._u(transit[0] + 4, transit[1] + 10))
            return self.timeline("shipped", shipped, not_before={"delivered": t0 + _days(self._u(1, 10))})
        if ticket.topic == "address_change":
            return self.timeline("paid", t0 - _hours(self._u(2, 30)),
                                 not_before={"shipped": t0 + _hours(self._u(6, 30))})
        if ticket.topic == "review_threat":
            return self.timeline("delivered", t0 - _days(self._u(3, 12)))
        return self.timeline("delivered", t0 - _days(self._u(0.1, 4)))

    def _dispute_order_times(self, dispute: _DisputePlan) -> dict:
        opened, transit = dispute.opened_at, TRANSIT_DAYS[self.market]
        if dispute.family == DisputeFamily.NOT_AS_DESCRIBED or dispute.reason == DisputeReason.DELIVERED_NOT_RECEIVED:
            return self.timeline("delivered", opened - _days(self._u(0.5, 10)), stop="delivered")
        shipped = opened - _days(self._u(transit[1] + 2, transit[1] + 25))
        return self.timeline("shipped", shipped, stop="shipped")

    def _new_dispute(self, total: Decimal, family: str, solution: str) -> _DisputePlan:
        reason = self.rng.choice(sorted(REASONS_BY_FAMILY[family]))
        requested = self._share(total, 0.3, 0.7) if solution == RequestedSolution.PARTIAL_REFUND else total
        pattern = "50##############" if self.market == Marketplace.ALIEXPRESS else "A2Z-##########"
        return _DisputePlan(external_id=self._unique(pattern), family=family, reason=reason, solution=solution,
                            requested=requested)

    def _plan_dispute(self, total: Decimal, kind: str, stage: str, *, pinned: bool = False) -> _DisputePlan:
        """A dispute whose ``kind`` clock (response or refund decision) is at ``stage``.
        ``pinned``: a refund decision met by refusing, with the platform still ruling."""
        rng = self.rng
        family = rng.choice((DisputeFamily.NOT_RECEIVED, DisputeFamily.NOT_AS_DESCRIBED))
        full, partial, ret = (RequestedSolution.FULL_REFUND, RequestedSolution.PARTIAL_REFUND,
                              RequestedSolution.RETURN_AND_REFUND)
        if kind == ClockKind.REFUND_DECISION:
            solution = self._pick({full: 2, partial: 1})
        elif family == DisputeFamily.NOT_RECEIVED:
            solution = self._pick({full: 4, partial: 1})
        else:
            solution = self._pick({full: 2, partial: 2, ret: 1})
        d = self._new_dispute(total, family, solution)
        asks_refund = solution != ret
        if kind == ClockKind.DISPUTE_RESPONSE:
            d.opened_at, met_at = self.start_for_stage(kind, stage)
            if stage == BREACHED:  # no answer: the platform decides for the buyer
                d.resolved_at = d.opened_at + DEMO_CLOCK_LENGTHS[kind] + timedelta(minutes=self._u(5, 180))
                d.outcome, d.accepted = DisputeOutcome.BUYER_WON, ProposalParty.BUYER
                d.refund = (d.requested, d.resolved_at, RefundReason.DISPUTE_LOST, RefundSource.CLOCK_LAPSE)
                d.cancel_decision_at = d.resolved_at if asks_refund else None
                return d
            d.response_at = met_at if stage == MET else None
            if d.response_at:
                limit = d.opened_at + _days(4.8)
                must_decide = asks_refund and self.now > d.opened_at + _days(4.5)
                latest = min(self.now, limit) if asks_refund else self.now
                if latest > d.response_at and (must_decide or rng.random() < 0.75):
                    d.decided_at = d.response_at + (latest - d.response_at) * self._u(0.1, 1)
        else:
            d.opened_at, met_at = self.start_for_stage(kind, stage, met_share=(0.2, 0.95))
            d.response_at = self._past(d.opened_at + _hours(self._u(0.5, 20)))
            if stage == MET:
                d.decided_at = met_at
            elif stage == BREACHED:  # no decision: the platform refunds what the buyer asked
                d.resolved_at = d.opened_at + DEMO_CLOCK_LENGTHS[kind] + timedelta(minutes=self._u(5, 180))
                d.outcome, d.accepted = DisputeOutcome.BUYER_WON, ProposalParty.BUYER
        self._negotiate(d)
        if d.outcome == DisputeOutcome.BUYER_WON and kind == ClockKind.REFUND_DECISION:
            d.refund = (d.buyer_ask, d.resolved_at, RefundReason.REFUND_REQUEST, RefundSource.CLOCK_LAPSE)
        if d.decided_at:
            pending_review = pinned and kind == ClockKind.REFUND_DECISION
            self._decide(d, choice="review" if pending_review else None, ruling=not pending_review)
        return d

    def _negotiate(self, d: _DisputePlan) -> None:
        """The seller's counter-offer with the first response, and maybe the buyer's."""
        if not d.response_at:
            return
        d.seller_offer = self._share(d.requested, 0.3, 0.6)
        end = d.decided_at or d.resolved_at or self.now
        if self.rng.random() < 0.35:
            at = d.response_at + _hours(self._u(1, 30))
            if at < end and at <= self.now and d.requested > d.seller_offer:
                d.buyer_counter = (self._share(d.requested, 0.65, 0.9), at)

    def _decide(self, d: _DisputePlan, *, choice: str | None = None, ruling: bool = True) -> None:
        """The seller's decision at ``decided_at``: agree, or refuse with evidence and
        let the platform rule (``ruling``: if it has had the time)."""
        options = {"partial": 35, "full": 25, "review": 25, "withdrawn": 10, "reship": 5}
        if d.solution == RequestedSolution.RETURN_AND_REFUND:
            del options["full"]  # agreeing to a return is a return story
        choice, at = choice or self._pick(options), d.decided_at
        refund_at = min(self.now, at + timedelta(minutes=self._u(10, 360)))
        if choice == "review":
            d.review_at = at
            offer_at, resolved = at + _days(self._u(1, 3)), at + _days(self._u(3, 14))
            if offer_at <= self.now:
                d.platform_offer = (self._share(d.requested, 0.4, 1.0), offer_at)
            if ruling and resolved <= self.now:
                d.resolved_at = resolved
                if self.rng.random() < 0.55:
                    d.outcome = DisputeOutcome.BUYER_WON
                    d.accepted = ProposalParty.PLATFORM if d.platform_offer else ProposalParty.BUYER
                    amount = d.platform_offer[0] if d.platform_offer else d.buyer_ask
                    d.refund = (amount, min(self.now, resolved + _hours(1)), RefundReason.DISPUTE_LOST,
                                RefundSource.PLATFORM)
                else:
                    d.outcome = DisputeOutcome.SELLER_WON
            return
        d.resolved_at = at
        if choice == "partial":  # the buyer takes the seller's offer
            d.outcome, d.accepted = DisputeOutcome.AGREED_PARTIAL_REFUND, ProposalParty.SELLER
            d.refund = (d.seller_offer, refund_at, RefundReason.DISPUTE_AGREEMENT, RefundSource.PLATFORM)
        elif choice == "full":  # the seller takes the buyer's (last) ask
            full = d.buyer_ask >= d.requested and d.solution == RequestedSolution.FULL_REFUND
            d.outcome = DisputeOutcome.AGREED_FULL_REFUND if full else DisputeOutcome.AGREED_PARTIAL_REFUND
            d.accepted = ProposalParty.BUYER
            d.refund = (d.buyer_ask, refund_at, RefundReason.DISPUTE_AGREEMENT, RefundSource.PLATFORM)
        else:
            d.outcome = {"withdrawn": DisputeOutcome.WITHDRAWN, "reship": DisputeOutcome.AGREED_RESHIP}[choice]

    def _plan_return(self, total: Decimal, buyer: Buyer, kind: str, stage: str, *, pinned: bool = False) -> tuple:
        """A return agreed in a dispute, whose ``kind`` clock (the buyer's shipment or
        the seller's receipt confirmation) is at ``stage``. ``pinned``: a receipt
        confirmed in time is not refunded yet."""
        rng = self.rng
        pattern = f"R{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}#########{buyer.country}"
        r = _ReturnPlan(external_id=self._unique("RT##############"),
                        carrier=RETURN_POSTS.get(buyer.country, "Local post"), tracking=self._unique(pattern))
        receipt = ClockKind.RECEIPT_CONFIRMATION
        if kind == ClockKind.RETURN_SHIPMENT:
            r.agreed_at, met_at = self.start_for_stage(kind, stage)
            if stage == MET:
                r.tracking_at = met_at
            elif stage == BREACHED:  # the buyer never shipped: the return lapses
                r.lapsed_at = r.agreed_at + DEMO_CLOCK_LENGTHS[kind] + timedelta(minutes=self._u(1, 60))
            if r.tracking_at:
                r.received_at = self._past(r.tracking_at + _days(self._u(4, 25)))
        else:
            r.tracking_at, met_at = self.start_for_stage(receipt, stage)
            r.agreed_at = r.tracking_at - _days(self._u(1, 9))
            if stage == MET:
                r.received_at = met_at
        if r.tracking_at and not r.received_at and self.now - (r.tracking_at + DEMO_CLOCK_LENGTHS[receipt]) \
                >= LAPSED_GRACE:  # receipt never confirmed: treated as received and refunded
            r.auto_refunded_at = r.tracking_at + DEMO_CLOCK_LENGTHS[receipt] + timedelta(minutes=self._u(1, 90))
        if r.received_at and not (pinned and kind == receipt) and rng.random() < 0.75:
            r.refunded_at = self._past(r.received_at + _hours(self._u(2, 72)))
        d = self._new_dispute(total, DisputeFamily.NOT_AS_DESCRIBED, RequestedSolution.RETURN_AND_REFUND)
        d.opened_at = r.agreed_at - _days(self._u(1, 5))
        d.response_at = d.opened_at + _hours(self._u(0.5, 20))
        d.decided_at = d.resolved_at = r.agreed_at
        d.outcome, d.accepted = DisputeOutcome.AGREED_RETURN, ProposalParty.SELLER
        refunded = r.refunded_at or r.auto_refunded_at
        if refunded:
            source = RefundSource.PLATFORM if r.refunded_at else RefundSource.CLOCK_LAPSE
            d.refund = (d.requested, refunded, RefundReason.RETURN_RECEIVED, source)
        return r, d

    # -- writing -------------------------------------------------------------------------
    def write(self, plans: list) -> None:
        """1. Buyers, orders, items, tickets, messages, disputes and returns in bulk, in
        their first status. 2. Their workflows, refunds and clocks through the services.
        3. Alerts and receipts in bulk. 4. Ticket dates back to the conversation's."""
        Buyer.objects.bulk_create(list({id(p.buyer): p.buyer for p in plans}.values()))
        for p in plans:
            t = p.times
            p.order = Order(
                store=self.store, buyer=p.buyer, order_number=p.number, status=p.status, currency=self.currency,
                total=p.total, carrier=p.carrier, tracking_number=p.tracking, placed_at=t.get("placed"),
                paid_at=t.get("paid"), shipped_at=t.get("shipped"), delivered_at=t.get("delivered"),
                completed_at=t.get("completed"), platform_updated_at=max(v for v in t.values() if v),
            )
        Order.objects.bulk_create([p.order for p in plans])
        OrderItem.objects.bulk_create([
            OrderItem(order=p.order, sku=row[0], title=row[2], quantity=qty, unit_price=Decimal(row[self.price_index]))
            for p in plans for row, qty in p.lines
        ])
        self._write_tickets(plans)
        self._write_disputes(plans)
        for p in plans:
            self._run_order(p)
        self._write_alerts()
        self._backdate_tickets(plans)

    def _agent(self):
        return self.rng.choice(self.agents) if self.agents else self.senior

    def _ctx(self, p: _OrderPlan, amount: Decimal | None = None) -> dict:
        """Placeholders of the message texts, amounts in the buyer's locale."""
        sku, item = p.lines[0][0][:2]
        return {
            "order": p.number, "item": item, "sku": sku, "tracking": p.tracking or "—",
            "carrier": p.carrier or "the carrier", "name": p.buyer.name.split()[0],
            "amount": self._amount(p, p.total if amount is None else amount),
        }

    def _amount(self, p: _OrderPlan, amount: Decimal) -> str:
        return format_currency(amount, self.currency, locale=BABEL_LOCALES.get(p.buyer.language, "en_US"))

    def _message(self, ticket, kind, sent_at, text, ctx, language, *, author=None, external_id="") -> Message:
        return Message(store=self.store, ticket=ticket, kind=kind, author=author, body=text.format(**ctx),
                       language=language, external_id=external_id, sent_at=sent_at)

    def _write_tickets(self, plans: list) -> None:
        """Tickets (in status NEW) and their threads, for conversations and disputes."""
        tickets, messages = [], []
        for p in plans:
            if p.ticket:
                tickets.append(self._conversation(p, messages))
            if p.dispute:
                tickets.append(self._dispute_thread(p, messages))
        Ticket.objects.bulk_create(tickets)
        Message.objects.bulk_create(messages)

    def _conversation(self, p: _OrderPlan, messages: list) -> Ticket:
        tp, info, language = p.ticket, TOPICS[p.ticket.topic], p.buyer.language
        assignee = None if tp.unassigned else self._agent()
        ticket = p.ticket_obj = Ticket(
            store=self.store, order=p.order, buyer=p.buyer, subject=f"{info.subject} · {p.number}",
            category=info.category, priority=info.priority, assignee=assignee, language=language,
            last_buyer_message_at=tp.followup_at or tp.t0, first_replied_at=tp.reply_at,
        )
        ctx = self._ctx(p, tp.offer)
        p.first_message = self._message(ticket, MessageKind.BUYER, tp.t0, BUYER_TEXTS[tp.topic][language], ctx,
                                        language, external_id=f"M{p.number}-1")
        messages.append(p.first_message)
        note_at = self._past(tp.t0 + timedelta(minutes=self._u(3, 40)))
        if assignee and note_at and (not tp.reply_at or note_at < tp.reply_at) and self.rng.random() < 0.4:
            note_language, note = self.rng.choice(NOTE_TEXTS[info.reply])
            messages.append(self._message(ticket, MessageKind.INTERNAL_NOTE, note_at, note, ctx, note_language,
                                          author=assignee))
        if tp.reply_at:
            messages.append(self._message(ticket, MessageKind.AGENT_REPLY, tp.reply_at,
                                          REPLY_TEXTS[info.reply][language], ctx, language, author=assignee))
        if tp.escalated_at:
            note_language, note = self.rng.choice(NOTE_TEXTS["refund"])
            messages.append(self._message(ticket, MessageKind.INTERNAL_NOTE, tp.escalated_at, note, ctx,
                                          note_language, author=assignee))
        if tp.followup_at:
            p.followup_message = self._message(ticket, MessageKind.BUYER, tp.followup_at,
                                               BUYER_TEXTS["follow_up"][language], ctx, language,
                                               external_id=f"M{p.number}-2")
            messages.append(p.followup_message)
        if tp.second_reply_at:
            messages.append(self._message(ticket, MessageKind.AGENT_REPLY, tp.second_reply_at,
                                          REPLY_TEXTS["update"][language], ctx, language,
                                          author=self.senior if tp.escalated_at else assignee))
        return ticket

    def _dispute_thread(self, p: _OrderPlan, messages: list) -> Ticket:
        d, language = p.dispute, p.buyer.language
        assignee = self._agent()
        reason = DisputeReason(d.reason).label
        ticket = p.dispute_ticket = Ticket(
            store=self.store, order=p.order, buyer=p.buyer, category=TicketCategory.DISPUTE,
            subject=f"Dispute {d.external_id}: {reason}", priority=Priority.RED, assignee=assignee,
            language=language, first_replied_at=d.response_at,
        )
        ctx = self._ctx(p, d.seller_offer or d.requested)
        opened = (f"Buyer opened dispute {d.external_id} ({DisputeFamily(d.family).label}: {reason}) and asks "
                  f"for: {RequestedSolution(d.solution).label}, {self._amount(p, d.requested)}.")
        messages.append(self._message(ticket, MessageKind.SYSTEM, d.opened_at, opened, ctx, "en"))
        note_at = self._past(d.opened_at + timedelta(minutes=self._u(5, 60)))
        if note_at and (not d.response_at or note_at < d.response_at):
            note_language, note = self.rng.choice(NOTE_TEXTS["dispute"])
            messages.append(self._message(ticket, MessageKind.INTERNAL_NOTE, note_at, note, ctx, note_language,
                                          author=assignee))
        if d.response_at:
            if d.solution == RequestedSolution.RETURN_AND_REFUND:
                reply = "refund"
            else:
                reply = "logistics" if d.family == DisputeFamily.NOT_RECEIVED else "quality"
            messages.append(self._message(ticket, MessageKind.AGENT_REPLY, d.response_at,
                                          REPLY_TEXTS[reply][language], ctx, language, author=assignee))
        if d.resolved_at:
            text = f"Dispute {d.external_id} resolved: {DisputeOutcome(d.outcome).label}."
            messages.append(self._message(ticket, MessageKind.SYSTEM, d.resolved_at, text, ctx, "en"))
        return ticket

    def _write_disputes(self, plans: list) -> None:
        disputes, returns = [], []
        for p in plans:
            if not p.dispute:
                continue
            d = p.dispute
            if d.family == DisputeFamily.NOT_RECEIVED:
                topic = "where_is"
            else:
                topic = DISPUTE_COMMENT_TOPIC.get(d.reason, "damaged")
            p.dispute_obj = Dispute(
                store=self.store, order=p.order, ticket=p.dispute_ticket, external_id=d.external_id,
                family=d.family, reason=d.reason, requested_solution=d.solution, currency=self.currency,
                requested_amount=d.requested, opened_at=d.opened_at, seller_responded_at=d.response_at,
                buyer_comment=BUYER_TEXTS[topic][p.buyer.language].format(**self._ctx(p)),
                platform_updated_at=max(filter(None, (d.opened_at, d.response_at, d.review_at, d.resolved_at))),
            )
            disputes.append(p.dispute_obj)
            if p.ret:
                p.return_obj = Return(store=self.store, order=p.order, dispute=p.dispute_obj,
                                      external_id=p.ret.external_id, agreed_at=p.ret.agreed_at)
                returns.append(p.return_obj)
        Dispute.objects.bulk_create(disputes)
        Return.objects.bulk_create(returns)

    def _run_order(self, p: _OrderPlan) -> None:
        """One order's workflows, refunds and clocks, through the services."""
        order = p.order
        if p.ticket:
            self._run_ticket(p)
        if p.dispute:
            self._run_dispute(p)
        if p.ret:
            self._run_return(p)
        if p.ticket and p.ticket.resolved_at and p.ticket.offer:
            self._refund(p, p.ticket.offer, p.ticket.resolved_at, RefundReason.GOODWILL, RefundSource.AGENT,
                         p.ticket_obj.assignee or SEED_ACTOR, note="Quality problem: the buyer keeps the item.")
        if p.dispute and p.dispute.refund:
            amount, at, reason, source = p.dispute.refund
            self._refund(p, amount, at, reason, source, SEED_ACTOR, dispute=p.dispute_obj, ret=p.return_obj)
        # A fully refunded order, or one whose refund window passed quietly, is closed.
        if p.closed_at:
            closed_at, reason = p.closed_at, "Order closed without a claim."
        elif order.refunded_amount >= order.total:
            closed_at, reason = p.last_refund_at, "Fully refunded."
        else:
            closed_at = None
        if closed_at and OrderStatus.CLOSED in ORDER_TRANSITIONS[order.status]:
            order_set_status(order=order, status=OrderStatus.CLOSED, actor=SEED_ACTOR, reason=reason, at=closed_at)
        if p.window:
            self._run_window(p)

    def _refund(self, p: _OrderPlan, amount, at, reason, source, actor, *, dispute=None, ret=None,
                note="") -> None:
        amount = min(amount, p.order.refundable_amount)  # never more than is left of what was paid
        if amount > 0:
            refund_record(order=p.order, amount=amount, reason=reason, actor=actor, source=source, dispute=dispute,
                          return_request=ret, note=note, refunded_at=at)
            p.last_refund_at = max(filter(None, (p.last_refund_at, at)))

    def _backdate_tickets(self, plans: list) -> None:
        """Tickets were written now; date them by their conversation instead, so the
        queues sort as they would on a live desk."""
        tickets = []
        for p in plans:
            if p.ticket_obj:
                tp = p.ticket
                events = (tp.t0, tp.reply_at, tp.escalated_at, tp.followup_at, tp.second_reply_at, tp.resolved_at)
                tickets.append(self._backdate(p.ticket_obj, tp.t0, events, tp.resolved_at))
            if p.dispute_ticket:
                d = p.dispute
                end = p.dispute_ticket_end
                events = (d.opened_at, d.response_at, d.review_at, d.resolved_at, end)
                tickets.append(self._backdate(p.dispute_ticket, d.opened_at, events, end))
        Ticket.objects.bulk_update(tickets, ["created_at", "updated_at", "resolved_at"])

    @staticmethod
    def _backdate(ticket: Ticket, created: datetime, events: tuple, resolved: datetime | None) -> Ticket:
        ticket.created_at, ticket.updated_at = created, max(filter(None, events))
        if ticket.resolved_at is not None:  # set to "now" by the resolving transition
            ticket.resolved_at = resolved
        return ticket

    def _run_ticket(self, p: _OrderPlan) -> None:
        tp, ticket = p.ticket, p.ticket_obj
        agent = ticket.assignee
        closed = self._past(tp.resolved_at + _days(7)) if tp.resolved_at else None
        events = [(tp.reply_at, TicketStatus.WAITING_ON_BUYER), (tp.escalated_at, TicketStatus.ESCALATED),
                  (tp.followup_at, TicketStatus.OPEN), (tp.second_reply_at, TicketStatus.WAITING_ON_BUYER),
                  (tp.resolved_at, TicketStatus.RESOLVED), (closed, TicketStatus.CLOSED)]
        for status in ticket_path(events, start_open=tp.start_open):
            ticket_set_status(ticket=ticket, status=status, actor=ticket.assignee or SEED_ACTOR)
            if status == TicketStatus.ESCALATED:
                ticket_assign(ticket=ticket, assignee=self.senior, actor=agent or SEED_ACTOR,
                              reason="Sensitive message: refund, bad review or chargeback threat.")
        amount = p.total
        ctx = {"amount": amount, "owner": ticket.assignee, "label": f"ticket #{ticket.pk} ({p.number})"}
        self._clock(ClockKind.FIRST_RESPONSE, p.first_message, tp.t0, length=tp.first_length, done_at=tp.reply_at,
                    done_by=agent, done_reason="Agent replied.", basis={"working_hours": tp.in_hours}, **ctx)
        if TOPICS[tp.topic].sensitive:
            self._clock(ClockKind.SENSITIVE_ESCALATION, p.first_message, tp.t0, done_at=tp.escalated_at,
                        done_by=agent, done_reason="Escalated to a senior agent.", **ctx)
        if p.followup_message:
            length = self.first_response_length(tp.followup_at)
            self._clock(ClockKind.FIRST_RESPONSE, p.followup_message, tp.followup_at, length=length,
                        done_at=tp.second_reply_at, done_by=ticket.assignee, done_reason="Agent replied.",
                        basis={"working_hours": self.in_working_hours(tp.followup_at)}, **ctx)

    def _run_dispute(self, p: _OrderPlan) -> None:
        d, dispute, ticket = p.dispute, p.dispute_obj, p.dispute_ticket
        agent = ticket.assignee
        buyer_solution = (ProposalSolution.RETURN_AND_REFUND if d.solution == RequestedSolution.RETURN_AND_REFUND
                          else ProposalSolution.REFUND)
        proposals = {ProposalParty.BUYER: proposal_create(
            dispute=dispute, party=ProposalParty.BUYER, solution=buyer_solution, amount=d.requested,
            actor=SEED_ACTOR, proposed_at=d.opened_at, note=dispute.buyer_comment[:200])}
        if d.response_at:
            if d.outcome == DisputeOutcome.AGREED_RETURN:
                proposals[ProposalParty.SELLER] = proposal_create(
                    dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.RETURN_AND_REFUND,
                    amount=d.requested, actor=agent, proposed_at=d.response_at,
                    note="Please send the item back; full refund on receipt.")
            elif d.seller_offer:
                proposals[ProposalParty.SELLER] = proposal_create(
                    dispute=dispute, party=ProposalParty.SELLER, solution=ProposalSolution.REFUND,
                    amount=d.seller_offer, actor=agent, proposed_at=d.response_at,
                    note="Partial refund; the buyer keeps the item.")
            dispute_set_status(dispute=dispute, status=DisputeStatus.NEGOTIATING, actor=agent, at=d.response_at,
                               reason="Seller answered the dispute.")
        if d.buyer_counter:
            amount, at = d.buyer_counter
            proposals[ProposalParty.BUYER] = proposal_create(
                dispute=dispute, party=ProposalParty.BUYER, solution=ProposalSolution.REFUND, amount=amount,
                actor=SEED_ACTOR, proposed_at=at, note="Counter-offer.")
        if d.review_at:
            dispute_set_status(dispute=dispute, status=DisputeStatus.PLATFORM_REVIEW, actor=agent, at=d.review_at,
                               reason="Refused with evidence (tracking, photos, chat history).")
        if d.platform_offer:
            amount, at = d.platform_offer
            proposals[ProposalParty.PLATFORM] = proposal_create(
                dispute=dispute, party=ProposalParty.PLATFORM, solution=ProposalSolution.REFUND, amount=amount,
                actor=SEED_ACTOR, proposed_at=at, note="Platform's proposed settlement.")
        if d.resolved_at:
            # The accepted offer is accepted; when the two sides settled it themselves
            # their other offers are withdrawn, when the platform ruled they are rejected.
            settled = d.outcome.startswith("agreed") or d.outcome == DisputeOutcome.WITHDRAWN
            for party, proposal in proposals.items():
                if party == d.accepted:
                    status = ProposalStatus.ACCEPTED
                elif settled and party != ProposalParty.PLATFORM:
                    status = ProposalStatus.WITHDRAWN
                else:
                    status = ProposalStatus.REJECTED
                proposal_set_status(proposal=proposal, status=status, actor=SEED_ACTOR)
            dispute_set_status(dispute=dispute, status=DisputeStatus.RESOLVED, outcome=d.outcome, at=d.resolved_at,
                               actor=agent if d.outcome.startswith("agreed") else SEED_ACTOR)
        ret = p.ret
        ticket_end = (ret.refunded_at or ret.auto_refunded_at or ret.lapsed_at) if ret else d.resolved_at
        closed = self._past(ticket_end + _days(7)) if ticket_end else None
        events = [(d.response_at, TicketStatus.WAITING_ON_BUYER), (d.review_at, TicketStatus.OPEN),
                  (ticket_end, TicketStatus.RESOLVED), (closed, TicketStatus.CLOSED)]
        for status in ticket_path(events, start_open=True):
            ticket_set_status(ticket=ticket, status=status, actor=agent)
        p.dispute_ticket_end = ticket_end
        ctx = {"amount": d.requested, "owner": agent, "label": f"dispute {d.external_id} ({p.number})"}
        self._clock(ClockKind.DISPUTE_RESPONSE, dispute, d.opened_at, done_at=d.response_at, done_by=agent,
                    done_reason="Seller answered the dispute.", **ctx)
        if d.solution != RequestedSolution.RETURN_AND_REFUND:
            self._clock(ClockKind.REFUND_DECISION, dispute, d.opened_at, done_at=d.decided_at, done_by=agent,
                        done_reason="Refund request decided.", cancelled_at=d.cancel_decision_at, **ctx)

    def _run_return(self, p: _OrderPlan) -> None:
        r, ret = p.ret, p.return_obj
        agent = p.dispute_ticket.assignee
        if r.tracking_at:
            return_set_status(ret=ret, status=ReturnStatus.IN_TRANSIT, actor=SEED_ACTOR, at=r.tracking_at,
                              tracking_number=r.tracking, carrier=r.carrier,
                              reason="Buyer entered the return tracking number.")
        if r.received_at:
            return_set_status(ret=ret, status=ReturnStatus.RECEIVED, actor=agent, at=r.received_at,
                              reason="Parcel received at the warehouse.")
        if r.refunded_at or r.auto_refunded_at:
            return_set_status(ret=ret, status=ReturnStatus.REFUNDED, actor=SEED_ACTOR,
                              at=r.refunded_at or r.auto_refunded_at,
                              reason="Refunded by the platform." if r.refunded_at else
                              "Receipt not confirmed in time: treated as received and refunded.")
        if r.lapsed_at:
            return_set_status(ret=ret, status=ReturnStatus.LAPSED, actor=SEED_ACTOR, at=r.lapsed_at,
                              reason="The buyer did not ship the return in time.")
        ctx = {"amount": p.dispute.requested, "owner": agent, "label": f"return {r.external_id} ({p.number})"}
        self._clock(ClockKind.RETURN_SHIPMENT, ret, r.agreed_at, done_at=r.tracking_at, done_by=SEED_ACTOR,
                    done_reason="Buyer shipped the return.", **ctx)
        if r.tracking_at:
            self._clock(ClockKind.RECEIPT_CONFIRMATION, ret, r.tracking_at, done_at=r.received_at, done_by=agent,
                        done_reason="Seller confirmed receipt.", **ctx)

    def _run_window(self, p: _OrderPlan) -> None:
        started = p.times["completed"] if p.window == ClockKind.REFUND_WINDOW else p.times["paid"]
        reason = "Order closed without a claim." if p.window == ClockKind.REFUND_WINDOW else \
            "Order closed and paid out; no claim open."
        self._clock(p.window, p.order, started, done_at=p.closed_at, done_by=SEED_ACTOR, done_reason=reason,
                    amount=p.total, owner=None, label=f"order {p.number}")

    def _clock(self, kind, subject, started, *, amount, owner, label, length=None, done_at=None, done_by=None,
               done_reason="", cancelled_at=None, basis=None) -> None:
        """Start a clock at its subject's own time, then bring it to where its
        subject's timeline says it is now."""
        length = length or DEMO_CLOCK_LENGTHS[kind]
        due = started + length
        warn_before, escalate_before = DEMO_CLOCK_ALERTS[kind]
        clock = clock_start(
            kind=kind, subject=subject, started_at=started, due_at=due, warn_at=due - warn_before,
            escalate_at=due - escalate_before if escalate_before else None, actor=SEED_ACTOR,
            amount_at_stake=amount, currency=self.currency,
            basis={"policy": DEMO_CLOCK_POLICY, "length_hours": length.total_seconds() / 3600,
                   "start_event": START_EVENTS[kind], "timezone": self.store.timezone, "demo": True,
                   **(basis or {})},
        )
        state, at = clock_fate(due_at=due, now=self.now, done_at=done_at, cancelled_at=cancelled_at)
        if state == ClockState.MET:
            clock_meet(clock=clock, actor=done_by or SEED_ACTOR, reason=done_reason, at=at)
        elif state == ClockState.BREACHED:
            transition(clock, to=ClockState.BREACHED, actor=SEED_ACTOR, extra={"breached_at": clock.due_at})
        elif state == ClockState.CANCELLED:
            clock_cancel(clock=clock, actor=SEED_ACTOR, reason="The dispute was decided by the platform.", at=at)
        self.clocks.append((clock, owner, label))

    def _write_alerts(self) -> None:
        """The alerts the clocks have raised so far, backdated to when each threshold
        was crossed, and each one in its owner's inbox (the store's agents when the
        clock has no owner; supervisors too from escalation on). Breaches older than a
        week are left out, as after downtime: no storm of stale alerts."""
        now, alerts, recipients = self.now, [], []
        for clock, owner, label in self.clocks:
            levels = []
            if clock.state == ClockState.RUNNING or (
                    clock.state == ClockState.BREACHED and clock.kind in SELLER_DEADLINES
                    and now - clock.breached_at < _days(7)):
                levels = [(AlertLevel.WARNING, clock.warn_at), (AlertLevel.ESCALATION, clock.escalate_at)]
            if clock.state == ClockState.BREACHED and levels:
                levels.append((AlertLevel.BREACH, clock.breached_at))
            due = f"{clock.due_at.astimezone(self.tz):%Y-%m-%d %H:%M} {self.store.timezone}"
            kind = ClockKind(clock.kind).label
            for level, raised in levels:
                if raised is None or raised > now:
                    continue
                text = {AlertLevel.WARNING: f"{kind} on {label} is due {due}.",
                        AlertLevel.ESCALATION: f"Escalated to supervisors: {kind} on {label} is due {due}.",
                        AlertLevel.BREACH: f"{kind} on {label} lapsed at {due}."}[level]
                alerts.append(Alert(store=self.store, clock=clock, level=level, raised_at=raised, text=text))
                users = [owner] if owner else list(self.agents)
                if level != AlertLevel.WARNING:
                    users += self.supervisors
                recipients.append(users)
        Alert.objects.bulk_create(alerts)
        receipts = []
        for alert, users in zip(alerts, recipients, strict=True):
            for user in dict.fromkeys(users):
                read_at = acknowledged_at = None
                if now - alert.raised_at > _hours(1) and self.rng.random() < 0.6:
                    read_at = alert.raised_at + (now - alert.raised_at) * self._u(0.01, 0.3)
                    if self.rng.random() < 0.5:
                        acknowledged_at = read_at + (now - read_at) * self._u(0.01, 0.2)
                receipts.append(AlertReceipt(alert=alert, user=user, read_at=read_at,
                                             acknowledged_at=acknowledged_at))
        AlertReceipt.objects.bulk_create(receipts)
