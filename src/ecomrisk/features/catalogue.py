"""The entity-history features ecomrisk computes for every filing."""

from ecomrisk.features.definitions import (
    Ever,
    Feature,
    OutcomeAggregate,
    Rolling,
    SameCustomsDay,
    ShipmentAggregate,
)

# Counts stop at this many shipments (``ShipmentAggregate.up_to``): reading a hot
# key's whole history for each filing would cost it time in proportion to the key.
COUNT_UP_TO = 1_000

HISTORY_FEATURES: tuple[Feature, ...] = (
    ShipmentAggregate(
        "consignee_value_today",
        "Declared value sent to this consignee on this customs day, this filing included "
        "(the splitting signal against a per-person-per-day threshold)",
        key="consignee_name",
        measure="sum_value",
        window=SameCustomsDay(),
    ),
    ShipmentAggregate(
        "address_value_today",
        "Declared value sent to this delivery address on this customs day, this filing included",
        key="consignee_address",
        measure="sum_value",
        window=SameCustomsDay(),
    ),
    ShipmentAggregate(
        "address_shipments_today",
        "Shipments to this delivery address on this customs day, this filing included "
        "(up to 1,000)",
        key="consignee_address",
        measure="count",
        window=SameCustomsDay(),
        up_to=COUNT_UP_TO,
    ),
    ShipmentAggregate(
        "phone_shipments_30d",
        "Shipments to this consignee phone in the last 30 days, this filing included (up to 1,000)",
        key="consignee_phone",
        measure="count",
        window=Rolling(30),
        up_to=COUNT_UP_TO,
    ),
    ShipmentAggregate(
        "email_shipments_30d",
        "Shipments to this consignee email in the last 30 days, this filing included (up to 1,000)",
        key="consignee_email",
        measure="count",
        window=Rolling(30),
        up_to=COUNT_UP_TO,
    ),
    ShipmentAggregate(
        "address_distinct_consignees_30d",
        "Distinct consignee names at this delivery address in the last 30 days",
        key="consignee_address",
        measure="count_distinct",
        distinct_of="consignee_name",
        window=Rolling(30),
    ),
    ShipmentAggregate(
        "shipper_history_count",
        "Shipments from this shipper before this filing (0: first seen; up to 1,000)",
        key="shipper_name",
        measure="count",
        window=Ever(),
        include_self=False,
        up_to=COUNT_UP_TO,
    ),
    ShipmentAggregate(
        "seller_history_count",
        "Shipments from this seller before this filing (0: first seen; up to 1,000)",
        key="seller",
        measure="count",
        window=Ever(),
        include_self=False,
        up_to=COUNT_UP_TO,
    ),
    ShipmentAggregate(
        "consignee_address_history_count",
        "Shipments to this delivery address before this filing (0: first seen; up to 1,000)",
        key="consignee_address",
        measure="count",
        window=Ever(),
        include_self=False,
        up_to=COUNT_UP_TO,
    ),
    OutcomeAggregate(
        "shipper_violations_365d",
        "Exams that found a violation on this shipper's shipments in the last 365 days",
        key="shipper_name",
        measure="violations",
        window=Rolling(365),
    ),
    OutcomeAggregate(
        "seller_violations_365d",
        "Exams that found a violation on this seller's shipments in the last 365 days",
        key="seller",
        measure="violations",
        window=Rolling(365),
    ),
    OutcomeAggregate(
        "address_seizures_180d",
        "Seizures linked to this delivery address in the last 180 days",
        key="consignee_address",
        measure="seizures",
        window=Rolling(180),
    ),
    OutcomeAggregate(
        "shipper_address_seizures_180d",
        "Seizures linked to this shipper's address in the last 180 days",
        key="shipper_address",
        measure="seizures",
        window=Rolling(180),
    ),
)


def feature_names() -> list[str]:
    return [f.name for f in HISTORY_FEATURES]
