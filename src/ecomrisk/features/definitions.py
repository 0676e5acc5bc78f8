"""What an entity-history feature is: a windowed aggregation over a key. Pure data."""

from dataclasses import dataclass
from typing import Literal

# Columns of the event relation (see ``sql.events_sql``) a feature may key on.
KeyColumn = Literal[
    "consignee_name",
    "consignee_address",
    "consignee_phone",
    "consignee_email",
    "shipper_name",
    "shipper_address",
    "seller",
]

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class SameCustomsDay:
    """Shipments arriving on the same customs day (the jurisdiction's day, not UTC's)."""


@dataclass(frozen=True)
class Rolling:
    """Shipments filed in the ``days`` before the filing."""

    days: int


@dataclass(frozen=True)
class Ever:
    """All history before the filing."""


Window = SameCustomsDay | Rolling | Ever


@dataclass(frozen=True)
class ShipmentAggregate:
    """An aggregate over other shipments sharing ``key`` with the filing, as of the
    filing: each other shipment counts once, in the version current when the filing
    arrived, and only if it was not cancelled by then. With ``include_self`` the
    filing itself is added, so a total can be compared with a threshold directly.

    A count with ``up_to`` stops there: online it reads at most that many events of
    the key, so a hot key (a marketplace's shipper with millions of filings) costs a
    filing no more than any other; past a thousand, more says nothing new of risk."""

    name: str
    description: str
    key: KeyColumn
    measure: Literal["count", "sum_value", "count_distinct"]
    window: Window
    distinct_of: KeyColumn | None = None
    include_self: bool = True
    up_to: int | None = None

    def __post_init__(self) -> None:
        if (self.measure == "count_distinct") != (self.distinct_of is not None):
            raise ValueError(f"{self.name}: distinct_of goes with measure count_distinct only")
        if self.up_to is not None and (self.measure != "count" or self.up_to < 1):
            raise ValueError(f"{self.name}: up_to is a positive bound of a count")


@dataclass(frozen=True)
class OutcomeAggregate:
    """Exam outcomes recorded before the filing on shipments sharing ``key``."""

    name: str
    description: str
    key: KeyColumn
    measure: Literal["violations", "seizures"]
    window: Rolling | Ever


Feature = ShipmentAggregate | OutcomeAggregate
