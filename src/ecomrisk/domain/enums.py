"""Enumerations of the shipment vocabulary (see docs/architecture.md).

Values are lower-case snake_case strings: they are what the API accepts,
what the store keeps and what profiles name, so they never change meaning.
"""

from enum import StrEnum


class Mode(StrEnum):
    """Transport mode of a shipment."""

    MAIL = "mail"
    EXPRESS = "express"
    AIR_CARGO = "air_cargo"
    TRUCK = "truck"
    OCEAN = "ocean"
    RAIL = "rail"


class FilerType(StrEnum):
    """Who submits advance data."""

    MARKETPLACE = "marketplace"
    CARRIER = "carrier"
    EXPRESS_OPERATOR = "express_operator"
    POSTAL_OPERATOR = "postal_operator"
    BROKER = "broker"
    FORWARDER = "forwarder"


class PostalCategory(StrEnum):
    """Category of item, as ticked on a UPU CN 22/CN 23 form."""

    GIFT = "gift"
    SAMPLE = "sample"
    DOCUMENTS = "documents"
    RETURNED_GOODS = "returned_goods"
    SALE_OF_GOODS = "sale_of_goods"
    OTHER = "other"


class PartyRole(StrEnum):
    """Role a party plays in a shipment."""

    SHIPPER = "shipper"
    SELLER = "seller"
    MANUFACTURER = "manufacturer"
    CONSIGNEE = "consignee"
    PURCHASER = "purchaser"


class Lane(StrEnum):
    """Processing lane, in increasing order of intervention."""

    RELEASE = "release"
    DOCUMENT_REVIEW = "document_review"
    SCAN = "scan"
    PHYSICAL = "physical"
    HOLD = "hold"

    @property
    def rank(self) -> int:
        return _LANE_RANKS[self]


_LANE_RANKS = {lane: rank for rank, lane in enumerate(Lane)}


class ExamType(StrEnum):
    """Kind of examination performed on a shipment."""

    DOCUMENT_REVIEW = "document_review"
    SCAN = "scan"
    PHYSICAL = "physical"


class ExamResult(StrEnum):
    NO_VIOLATION = "no_violation"
    VIOLATION = "violation"
    INCONCLUSIVE = "inconclusive"


class FindingType(StrEnum):
    """What an examination found."""

    UNDERVALUATION = "undervaluation"
    MISDESCRIPTION = "misdescription"
    COUNTERFEIT = "counterfeit"
    PROHIBITED = "prohibited"
    RESTRICTED = "restricted"
    FORCED_LABOUR = "forced_labour"
    SPLIT_SHIPMENT = "split_shipment"
    FALSE_GIFT_CLAIM = "false_gift_claim"
    OTHER = "other"


class Action(StrEnum):
    """Enforcement action taken on an examined shipment."""

    RELEASE = "release"
    DETAIN = "detain"
    SEIZE = "seize"
    ABANDON = "abandon"
    EXPORT = "export"
    DESTROY = "destroy"


class SelectionKind(StrEnum):
    """Why a shipment was examined: this decides how its outcome may be used.

    Only ``random`` outcomes, weighted by their inclusion probability, estimate
    compliance without bias; ``targeted`` and ``exploration`` outcomes are
    labels for learning, kept apart so estimators can tell them from the sample.
    """

    TARGETED = "targeted"
    EXPLORATION = "exploration"
    RANDOM = "random"
    FORCED = "forced"


class ShipmentStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class Role(StrEnum):
    """Roles of people using ecomrisk (filers authenticate by API key instead)."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    PROGRAMME_MANAGER = "programme_manager"
    ADMINISTRATOR = "administrator"
