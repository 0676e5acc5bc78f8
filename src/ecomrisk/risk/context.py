"""Build the decision context from the settings and the store, once per process."""

from sqlalchemy import Engine

from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.features.matrix import FeatureContext
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.reference.unit_values import bundled_unit_values
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.decide import Decider, DecisionContext
from ecomrisk.settings import Settings
from ecomrisk.store.fx_repo import latest_rates


def feature_context(engine: Engine, settings: Settings) -> FeatureContext:
    profile = load_profile(settings.jurisdiction)
    with engine.connect() as connection:
        rates = latest_rates(connection) or bundled_rates()
    return FeatureContext(profile, rates, bundled_unit_values(rates, profile.currency))


def decision_context(engine: Engine, settings: Settings) -> DecisionContext:
    # Publish the bundled rule set on a new store now, not inside the first filing's
    # transaction where concurrent first filings would race to do it.
    with engine.begin() as connection:
        rulesets_repo.ensure_live(connection)
    return DecisionContext(
        feature_context(engine, settings), refresh_seconds=settings.decision_refresh_seconds
    )


def decider(engine: Engine, settings: Settings) -> Decider:
    return Decider(decision_context(engine, settings))
