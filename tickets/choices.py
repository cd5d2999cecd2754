"""Every status vocabulary of the desk, with its allowed transitions beside it.

Each ``*_TRANSITIONS`` mapping says, for a status, which statuses may follow it.
``tickets.services.workflow`` is the only place that reads these tables, so the
rules live here once and the admin, UI, API, tasks and commands all obey them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Marketplace(models.TextChoices):
    ALIEXPRESS = "aliexpress", _("AliExpress")
    AMAZON = "amazon", _("Amazon")
    EBAY = "ebay", _("eBay")
    SHOPIFY = "shopify", _("Shopify")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SENIOR_AGENT = "senior_agent", _("Senior agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", pgettext_lazy("user role", "Admin")


# Orders -----------------------------------------------------------------------
class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed")


ORDER_TRANSITIONS = {
    OrderStatus.AWAITING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED},
    OrderStatus.PAID: {OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.CLOSED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.CLOSED},
    OrderStatus.DELIVERED: {OrderStatus.COMPLETED, OrderStatus.CLOSED},
    OrderStatus.COMPLETED: {OrderStatus.CLOSED},
    OrderStatus.CANCELLED: set(),
    OrderStatus.CLOSED: set(),
}


# Tickets ----------------------------------------------------------------------
class TicketCategory(models.TextChoices):
    LOGISTICS = "logistics", _("Logistics / where is my order")
    QUALITY = "quality", _("Quality or defect")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    RETURN_REFUND = "return_refund", _("Return or refund")
    DISPUTE = "dispute", _("Dispute")
    ORDER_CHANGE = "order_change", _("Order change")
    FEEDBACK = "feedback", _("Feedback")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    """The sellers' severity bands: red within 4 h, yellow within 12 h, blue the rest."""

    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


PRIORITY_BADGE = {Priority.RED: "danger", Priority.YELLOW: "warning", Priority.BLUE: "info"}


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_ON_BUYER = "waiting_on_buyer", _("Waiting on buyer")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


TICKET_TRANSITIONS = {
    TicketStatus.NEW: {TicketStatus.OPEN, TicketStatus.WAITING_ON_BUYER, TicketStatus.ESCALATED,
                       TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.OPEN: {TicketStatus.WAITING_ON_BUYER, TicketStatus.ESCALATED, TicketStatus.RESOLVED,
                        TicketStatus.CLOSED},
    TicketStatus.WAITING_ON_BUYER: {TicketStatus.OPEN, TicketStatus.ESCALATED, TicketStatus.RESOLVED,
                                    TicketStatus.CLOSED},
    TicketStatus.ESCALATED: {TicketStatus.OPEN, TicketStatus.WAITING_ON_BUYER, TicketStatus.RESOLVED},
    # A buyer writing again reopens a resolved ticket; a closed one stays closed.
    TicketStatus.RESOLVED: {TicketStatus.OPEN, TicketStatus.CLOSED},
    TicketStatus.CLOSED: set(),
}

TICKET_STATUS_BADGE = {
    TicketStatus.NEW: "primary",
    TicketStatus.OPEN: "info",
    TicketStatus.WAITING_ON_BUYER: "secondary",
    TicketStatus.ESCALATED: "danger",
    TicketStatus.RESOLVED: "success",
    TicketStatus.CLOSED: "dark",
}


class MessageKind(models.TextChoices):
    BUYER = "buyer", _("Buyer message")
    AGENT_REPLY = "agent_reply", _("Agent reply")
    INTERNAL_NOTE = "internal_note", _("Internal note")
    SYSTEM = "system", _("System")


# Disputes -----------------------------------------------------------------------
class DisputeFamily(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Item not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Item not as described")


class DisputeReason(models.TextChoices):
    # Item not received
    IN_TRANSIT = "in_transit", _("Still in transit")
    LOST = "lost", _("Lost in transit")
    DELIVERED_NOT_RECEIVED = "delivered_not_received", _("Delivered but buyer denies receipt")
    CUSTOMS_HOLD = "customs_hold", _("Held by customs")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")
    WRONG_ADDRESS = "wrong_address", _("Wrong address")
    # Item not as described
    DAMAGED = "damaged", _("Damaged")
    DEFECTIVE = "defective", _("Defective")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    WRONG_SIZE_COLOUR = "wrong_size_colour", _("Wrong size or colour")
    MISSING_PARTS = "missing_parts", _("Missing parts")
    COUNTERFEIT = "counterfeit", _("Counterfeit claim")
    QUALITY = "quality", _("Quality below description")
    OTHER = "other", _("Other")


REASONS_BY_FAMILY = {
    DisputeFamily.NOT_RECEIVED: {
        DisputeReason.IN_TRANSIT, DisputeReason.LOST, DisputeReason.DELIVERED_NOT_RECEIVED,
        DisputeReason.CUSTOMS_HOLD, DisputeReason.RETURNED_TO_SENDER, DisputeReason.WRONG_ADDRESS,
        DisputeReason.OTHER,
    },
    DisputeFamily.NOT_AS_DESCRIBED: {
        DisputeReason.DAMAGED, DisputeReason.DEFECTIVE, DisputeReason.WRONG_ITEM,
        DisputeReason.WRONG_SIZE_COLOUR, DisputeReason.MISSING_PARTS, DisputeReason.COUNTERFEIT,
        DisputeReason.QUALITY, DisputeReason.OTHER,
    },
}


class RequestedSolution(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open: awaiting seller")
    NEGOTIATING = "negotiating", _("Negotiating")
    PLATFORM_REVIEW = "platform_review", _("Under platform review")
    RESOLVED = "resolved", _("Resolved")


DISPUTE_TRANSITIONS = {
    DisputeStatus.OPEN: {DisputeStatus.NEGOTIATING, DisputeStatus.PLATFORM_REVIEW, DisputeStatus.RESOLVED},
    DisputeStatus.NEGOTIATING: {DisputeStatus.PLATFORM_REVIEW, DisputeStatus.RESOLVED},
    DisputeStatus.PLATFORM_REVIEW: {DisputeStatus.RESOLVED},
    DisputeStatus.RESOLVED: set(),
}


class DisputeOutcome(models.TextChoices):
    AGREED_FULL_REFUND = "agreed_full_refund", _("Agreed: full refund")
    AGREED_PARTIAL_REFUND = "agreed_partial_refund", _("Agreed: partial refund")
    AGREED_RESHIP = "agreed_reship", _("Agreed: reshipment")
    AGREED_RETURN = "agreed_return", _("Agreed: return and refund")
    BUYER_WON = "buyer_won", _("Buyer won")
    SELLER_WON = "seller_won", _("Seller won")
    WITHDRAWN = "withdrawn", _("Withdrawn by buyer")


class ProposalParty(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    PLATFORM = "platform", _("Platform")


class ProposalSolution(models.TextChoices):
    REFUND = "refund", _("Refund")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("proposal status", "Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a newer version")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PROPOSAL_TRANSITIONS = {
    ProposalStatus.PENDING: {ProposalStatus.ACCEPTED, ProposalStatus.REJECTED,
                             ProposalStatus.SUPERSEDED, ProposalStatus.WITHDRAWN},
    ProposalStatus.ACCEPTED: set(),
    ProposalStatus.REJECTED: set(),
    ProposalStatus.SUPERSEDED: set(),
    ProposalStatus.WITHDRAWN: set(),
}


# Returns --------------------------------------------------------------------------
class ReturnStatus(models.TextChoices):
    AWAITING_SHIPMENT = "awaiting_shipment", _("Agreed: awaiting buyer's shipment")
    IN_TRANSIT = "in_transit", _("Shipped back: in transit")
    RECEIVED = "received", _("Received by seller")
    REFUNDED = "refunded", _("Refunded")
    LAPSED = "lapsed", _("Lapsed: buyer never shipped")
    DISPUTED = "disputed", _("Returned goods disputed")
    CANCELLED = "cancelled", _("Cancelled")


RETURN_TRANSITIONS = {
    ReturnStatus.AWAITING_SHIPMENT: {ReturnStatus.IN_TRANSIT, ReturnStatus.LAPSED, ReturnStatus.CANCELLED},
    ReturnStatus.IN_TRANSIT: {ReturnStatus.RECEIVED, ReturnStatus.DISPUTED, ReturnStatus.REFUNDED},
    ReturnStatus.RECEIVED: {ReturnStatus.REFUNDED, ReturnStatus.DISPUTED},
    ReturnStatus.DISPUTED: {ReturnStatus.REFUNDED, ReturnStatus.RECEIVED, ReturnStatus.CANCELLED},
    ReturnStatus.REFUNDED: set(),
    ReturnStatus.LAPSED: set(),
    ReturnStatus.CANCELLED: set(),
}


# Refunds ------------------------------------------------------------------------
class RefundReason(models.TextChoices):
    DISPUTE_AGREEMENT = "dispute_agreement", _("Agreed in a dispute")
    DISPUTE_LOST = "dispute_lost", _("Dispute lost")
    REFUND_REQUEST = "refund_request", _("Buyer's refund request")
    RETURN_RECEIVED = "return_received", _("Return received")
    GOODWILL = "goodwill", _("Goodwill / quality compensation")
    OTHER = "other", _("Other")


class RefundSource(models.TextChoices):
    AGENT = "agent", _("Recorded by an agent")
    PLATFORM = "platform", _("Executed by the platform")
    ERP = "erp", _("Reported by the ERP")
    CLOCK_LAPSE = "clock_lapse", _("Consequence of a lapsed clock")


# Evidence ---------------------------------------------------------------------------
class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    SHIPPING_RECEIPT = "shipping_receipt", _("Shipping receipt")
    TRACKING = "tracking", _("Tracking screenshot")
    CHAT_EXPORT = "chat_export", _("Chat export")
    OTHER = "other", _("Other")


# Clocks and alerts --------------------------------------------------------------------
class ClockKind(models.TextChoices):
    DISPUTE_RESPONSE = "dispute_response", _("Dispute response")
    REFUND_DECISION = "refund_decision", _("Refund-request decision")
    RETURN_SHIPMENT = "return_shipment", _("Return shipment")
    RECEIPT_CONFIRMATION = "receipt_confirmation", _("Receipt confirmation")
    FIRST_RESPONSE = "first_response", _("First response")
    SENSITIVE_ESCALATION = "sensitive_escalation", _("Sensitive-message escalation")
    REFUND_WINDOW = "refund_window", _("Refund window after completion")
    CHARGEBACK_WINDOW = "chargeback_window", _("Chargeback window")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


CLOCK_TRANSITIONS = {
    ClockState.RUNNING: {ClockState.MET, ClockState.BREACHED, ClockState.CANCELLED},
    ClockState.MET: set(),
    ClockState.BREACHED: set(),
    ClockState.CANCELLED: set(),
}


class AlertLevel(models.TextChoices):
    WARNING = "warning", _("Warning")
    ESCALATION = "escalation", _("Escalation to supervisors")
    BREACH = "breach", _("Breach")
