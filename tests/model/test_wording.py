"""The words of a reason: what a feature's value says to an officer."""

from ecomrisk.features.catalogue import COUNT_UP_TO
from ecomrisk.risk.model.wording import describe


def test_history_counts_read_as_first_seen_a_count_or_at_least_the_bound() -> None:
    assert describe("shipper_history_count", {"shipper_history_count": 0}) == (
        "first shipment from this shipper"
    )
    assert describe("seller_history_count", {"seller_history_count": 2}) == (
        "seller seen 2 times before"
    )
    # The count stops at its bound: there it means "that many or more".
    at_bound = {"consignee_address_history_count": COUNT_UP_TO}
    assert describe("consignee_address_history_count", at_bound) == (
        f"address received {COUNT_UP_TO} shipments or more before"
    )
