"""Demo catalogue: products, carriers, buyer countries, languages, names and national posts."""

from tickets.choices import Marketplace

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
