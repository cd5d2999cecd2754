"""The domain model of the desk, one module per concept."""

from .alerts import Alert, AlertReceipt
from .audit import AuditEntry, Heartbeat
from .buyers import Buyer
from .clocks import Clock
from .disputes import Dispute, DisputeProposal
from .evidence import Evidence
from .orders import Order, OrderItem
from .refunds import Refund
from .returns import Return
from .staff import User
from .stores import Store, StoreHoliday
from .tickets import Message, Ticket

__all__ = [
    "Alert", "AlertReceipt", "AuditEntry", "Buyer", "Clock", "Dispute", "DisputeProposal", "Evidence",
    "Heartbeat", "Message", "Order", "OrderItem", "Refund", "Return", "Store", "StoreHoliday", "Ticket", "User",
]
