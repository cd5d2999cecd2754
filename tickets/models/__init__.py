"""The domain model of the desk, one module per concept."""

from .alerts import Alert, AlertDelivery, AlertReceipt, DeliveryAttempt
from .api_keys import ApiKey
from .audit import AuditEntry, Heartbeat
from .buyers import Buyer
from .clocks import Clock
from .disputes import Dispute, DisputeProposal
from .evidence import Evidence
from .idempotency import IdempotentRequest
from .orders import Order, OrderItem
from .policies import ClockPolicy
from .rates import ExchangeRate
from .refunds import Refund
from .returns import Return
from .sensitive import SensitiveTerm, SensitiveTopic
from .staff import User
from .stores import Store, StoreHoliday
from .tickets import Message, Ticket
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookEventName, WebhookSubscription

__all__ = [
    "Alert",
    "AlertDelivery",
    "AlertReceipt",
    "ApiKey",
    "DeliveryAttempt",
    "AuditEntry",
    "Buyer",
    "Clock",
    "ClockPolicy",
    "Dispute",
    "DisputeProposal",
    "Evidence",
    "ExchangeRate",
    "Heartbeat",
    "IdempotentRequest",
    "Message",
    "Order",
    "OrderItem",
    "Refund",
    "Return",
    "SensitiveTerm",
    "SensitiveTopic",
    "Store",
    "StoreHoliday",
    "Ticket",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookEventName",
    "WebhookSubscription",
]
