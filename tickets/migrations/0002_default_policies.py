"""The marketplaces' default clock policies, as data a supervisor edits in the admin.

AliExpress numbers come from the domain brief; the others are the marketplaces'
published response windows at the time of writing. Each is only a starting point:
revising a policy in the admin adds a new version.
"""

from datetime import timedelta

from django.db import migrations

H = timedelta(hours=1)
D = timedelta(days=1)

# kind: (length, warn_before, extra fields)
ALIEXPRESS = {
    "dispute_response": (24 * H, 4 * H, {}),
    "refund_decision": (5 * D, 1 * D, {}),
    "return_shipment": (10 * D, 2 * D, {}),
    "receipt_confirmation": (30 * D, 5 * D, {}),
    "first_response": (3 * H, 1 * H, {"uses_working_hours": True, "outside_length": 6 * H, "cap": 24 * H}),
    "sensitive_escalation": (2 * H, 30 * timedelta(minutes=1), {}),
    "refund_window": (15 * D, None, {"raises_alerts": False}),
    "chargeback_window": (180 * D, None, {"raises_alerts": False}),
}
OTHERS = {
    "amazon": {
        "dispute_response": (72 * H, 12 * H, {"note": "A-to-z claim response"}),
        "refund_decision": (2 * D, 12 * H, {"note": "return/refund request authorisation"}),
        "return_shipment": (30 * D, 5 * D, {}),
        "receipt_confirmation": (30 * D, 5 * D, {}),
        "first_response": (24 * H, 4 * H, {"uses_working_hours": True, "outside_length": 24 * H, "cap": 24 * H,
                                           "note": "buyer-seller messages within 24 hours, weekends included"}),
    },
    "ebay": {
        "dispute_response": (3 * D, 1 * D, {"note": "case response"}),
        "refund_decision": (3 * D, 1 * D, {}),
        "return_shipment": (10 * D, 2 * D, {}),
        "receipt_confirmation": (30 * D, 5 * D, {}),
        "first_response": (24 * H, 4 * H, {"uses_working_hours": True, "outside_length": 24 * H, "cap": 24 * H}),
    },
    "shopify": {
        "dispute_response": (7 * D, 2 * D, {"note": "chargeback evidence"}),
        "refund_decision": (5 * D, 1 * D, {}),
        "return_shipment": (14 * D, 3 * D, {}),
        "receipt_confirmation": (30 * D, 5 * D, {}),
        "first_response": (24 * H, 4 * H, {"uses_working_hours": True, "outside_length": 24 * H, "cap": 24 * H}),
    },
}


def load(apps, schema_editor):
    ClockPolicy = apps.get_model("tickets", "ClockPolicy")
    tables = {"aliexpress": ALIEXPRESS, "other": ALIEXPRESS}
    for marketplace, overrides in OTHERS.items():
        tables[marketplace] = {**ALIEXPRESS, **overrides}
    for marketplace, table in tables.items():
        for kind, (length, warn, extra) in table.items():
            ClockPolicy.objects.get_or_create(
                marketplace=marketplace, kind=kind, version=1,
                defaults={"length": length, "warn_before": warn, "is_current": True, **extra},
            )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
