"""Django admin for every model of the desk, one module per concept.

Importing the modules registers their admins. ``base`` holds the two rules every
page obeys: rows scoped to the user's stores, and status changes through services.
"""

from . import (
    api_keys,
    audit,
    clocks,
    deliveries,
    disputes,
    orders,
    policies,
    rates,
    returns,
    sensitive,
    stores,
    tickets,
    webhooks,
)

__all__ = ["api_keys", "audit", "clocks", "deliveries", "disputes", "orders", "policies", "rates", "returns",
           "sensitive", "stores", "tickets", "webhooks"]
