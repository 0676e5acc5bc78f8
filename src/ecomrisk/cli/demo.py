"""``ecomrisk demo``: the main job end to end on the embedded default."""

from ecomrisk.cli._common import console, settings, store_engine
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.reference import hs
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.store import migrate
from ecomrisk.store.fx_repo import latest_rates, save_rates


def demo() -> None:
    """Set up the store, load reference data and show what is there.

    Grows, issue by issue, into the full journey: simulate a world, ingest,
    score, target, inspect, measure.
    """
    config = settings()
    profile = load_profile(config.jurisdiction)
    console.rule("[bold]ecomrisk demo")
    with store_engine() as engine:
        migrate.upgrade(engine)
        state = migrate.status(engine)
        console.print(
            f"store: {engine.url.render_as_string(hide_password=True)} at {state.current}"
        )
        with engine.begin() as connection:
            if latest_rates(connection) is None:
                table = bundled_rates()
                save_rates(connection, table)
                console.print(f"loaded {len(table.per_eur)} exchange rates of {table.as_of}")
            else:
                console.print("exchange rates already loaded")
    console.print(f"jurisdiction: {profile.id} — {profile.name}")
    console.print(f"HS nomenclature: {len(hs.subheadings())} subheadings ({hs.SOURCE})")
    console.rule("done")
