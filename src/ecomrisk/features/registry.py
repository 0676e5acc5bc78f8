"""Every feature a rule, the model or a decision can use, with what it means."""

from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.derived import DERIVED_FEATURES
from ecomrisk.features.shipment import SHIPMENT_FEATURES

# Computed by the risk engine's screening step (ecomrisk.risk.screen_filing).
SCREENING_FEATURES: dict[str, str] = {
    "screening_max_score": "Best watch-list match score of any party (0 when none)",
    "screening_hits": "Watch-list hits over all parties of the filing",
}

# Computed by the counter-network step (ecomrisk.risk.network.online), from the latest build.
NETWORK_FEATURES: dict[str, str] = {
    "network_risk": "Highest propagated risk of an entity or identifier the parties are linked "
    "to (0 when none)",
    "network_size": "Entities in the largest network a party belongs to (0 when none)",
}

FEATURES: dict[str, str] = {
    **SHIPMENT_FEATURES,
    **{feature.name: feature.description for feature in HISTORY_FEATURES},
    **DERIVED_FEATURES,
    **SCREENING_FEATURES,
    **NETWORK_FEATURES,
}


def known_features() -> set[str]:
    return set(FEATURES)
