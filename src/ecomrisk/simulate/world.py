"""Generate the synthetic world: actors, shipments, planted schemes, inspections.

Column-wise with NumPy where it counts (who ships what, when, for how much),
then one pass that renders each shipment as a ``ShipmentFiling`` JSON
document. Deterministic for a given scenario and seed.
"""

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ecomrisk.domain.enums import FilerType, Mode
from ecomrisk.domain.jurisdiction import JurisdictionProfile, load_profile
from ecomrisk.features.shipment import UnitValue
from ecomrisk.reference.fx import RateTable, bundled_rates
from ecomrisk.reference.unit_values import bundled_unit_values
from ecomrisk.simulate.parties import Entity, company, person
from ecomrisk.simulate.scenario import Scenario

MODES = [Mode.MAIL, Mode.EXPRESS, Mode.AIR_CARGO, Mode.TRUCK]
PORTS = {
    Mode.MAIL: ["USJFK", "USORD", "USLAX", "USMIA", "USSFO"],
    Mode.EXPRESS: ["USCVG", "USMEM", "USSDF", "USJFK"],
    Mode.AIR_CARGO: ["USLAX", "USORD", "USJFK", "USATL"],
    Mode.TRUCK: ["USLRD", "USBUF", "USDET", "USOTM"],
}
# Hours between filing and arrival, by mode: (median, spread of the lognormal).
LEAD_HOURS = {
    Mode.MAIL: (72.0, 0.5),
    Mode.EXPRESS: (20.0, 0.5),
    Mode.AIR_CARGO: (30.0, 0.5),
    Mode.TRUCK: (4.0, 0.4),
}
CURRENCY_OF = {
    "GB": "GBP",
    "DE": "EUR",
    "JP": "JPY",
    "KR": "KRW",
    "IN": "INR",
    "MX": "MXN",
    "CA": "CAD",
    "TR": "TRY",
    "HK": "HKD",
    "CN": "CNY",
}
WEEKDAY_WEIGHT = np.array([1.15, 1.1, 1.1, 1.05, 1.0, 0.8, 0.8])
HOUR_WEIGHT = np.array(
    [
        0.3,
        0.2,
        0.2,
        0.2,
        0.3,
        0.5,
        0.8,
        1.1,
        1.3,
        1.4,
        1.4,
        1.3,
        1.2,
        1.2,
        1.3,
        1.3,
        1.2,
        1.1,
        1.0,
        0.9,
        0.8,
        0.7,
        0.5,
        0.4,
    ]
)
VAGUE = ["gift", "parts", "sample", "goods", "accessories", "items"]


@dataclass(frozen=True)
class Product:
    hs6: str
    description: str
    category: str
    brandable: bool


@cache
def products() -> list[Product]:
    text = resources.files("ecomrisk.simulate").joinpath("data/products.csv").read_text()
    return [
        Product(r["hs6"], r["description"], r["category"], r["brandable"] == "1")
        for r in csv.DictReader(text.splitlines())
    ]


@cache
def brands() -> list[tuple[str, str]]:
    text = resources.files("ecomrisk.simulate").joinpath("data/brands.csv").read_text()
    return [(r["brand"], r["category"]) for r in csv.DictReader(text.splitlines())]


@dataclass
class Filer:
    code: str
    name: str
    filer_type: FilerType


@dataclass
class Shipment:
    """One shipment as generated, before rendering."""

    index: int
    mode: Mode
    filer: str
    reference: str
    country: str
    port: str
    received: datetime
    arrival: datetime
    seller: int | None  # index into World.sellers
    shipper: Entity
    shipper_name: str | None  # the name used on this filing, when it differs
    consignee: Entity
    manufacturer: Entity | None
    lines: list[
        dict[str, Any]
    ]  # product, quantity, unit_true, unit_declared, brand, description, hs
    postal_category: str | None
    marketplace: int | None
    schemes: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def true_value(self) -> float:
        return sum(line["unit_true"] * line["quantity"] for line in self.lines)

    @property
    def declared_value(self) -> float:
        return sum(line["unit_declared"] * line["quantity"] for line in self.lines)


@dataclass
class World:
    scenario: Scenario
    profile: JurisdictionProfile
    rates: RateTable
    filers: list[Filer]
    marketplaces: list[str]
    sellers: list[Entity]
    seller_marketplace: list[int]
    seller_country: list[str]
    consignees: list[Entity]
    consolidators: list[Entity]
    shipments: list[Shipment]
    scheme_members: dict[str, set[str]]
    bad_actors: dict[str, list[Entity]]  # listed on watch lists, by list
    threshold_usd: float


def _choice(rng: np.random.Generator, shares: dict[Any, float], size: int) -> np.ndarray:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _zipf_weights(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def _times(rng: np.random.Generator, scenario: Scenario, size: int) -> np.ndarray:
    """Arrival times (epoch seconds) with weekly and daily cycles."""
    start = datetime(scenario.start.year, scenario.start.month, scenario.start.day, tzinfo=UTC)
    days = np.arange(scenario.days)
    weekday = np.array([(scenario.start.weekday() + d) % 7 for d in days])
    day = rng.choice(days, size=size, p=WEEKDAY_WEIGHT[weekday] / WEEKDAY_WEIGHT[weekday].sum())
    hour = rng.choice(24, size=size, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    seconds = rng.integers(0, 3600, size=size)
    return start.timestamp() + day * 86400 + hour * 3600 + seconds


def build_actors(
    scenario: Scenario, rng: random.Random
) -> tuple[list[str], list[Entity], list[int], list[str], list[Entity]]:
    marketplaces = [f"Marketplace {chr(65 + i)}" for i in range(scenario.actors.marketplaces)]
    origin_keys = list(scenario.origins)
    origin_weights = [scenario.origins[k] for k in origin_keys]
    sellers, seller_marketplace, seller_country = [], [], []
    for i in range(scenario.actors.sellers):
        country = rng.choices(origin_keys, origin_weights)[0]
        market = rng.randrange(len(marketplaces))
        sellers.append(company(f"seller-{i}", country, rng, f"M{market}-{100000 + i}"))
        seller_marketplace.append(market)
        seller_country.append(country)
    consolidators = [
        company(f"consolidator-{i}", rng.choice(["CN", "HK"]), rng)
        for i in range(scenario.actors.consolidators)
    ]
    return marketplaces, sellers, seller_marketplace, seller_country, consolidators


def _filers(scenario: Scenario) -> list[Filer]:
    filers = [
        Filer("POST-INTL", "International Post Exchange", FilerType.POSTAL_OPERATOR),
        Filer("EXP-1", "Swift Express", FilerType.EXPRESS_OPERATOR),
        Filer("EXP-2", "Global Courier", FilerType.EXPRESS_OPERATOR),
        Filer("AIR-FWD", "Skyline Forwarding", FilerType.FORWARDER),
        Filer("TRUCK-1", "Border Freight Lines", FilerType.CARRIER),
    ]
    for i in range(scenario.actors.marketplaces):
        filers.append(
            Filer(f"MKT-{chr(65 + i)}", f"Marketplace {chr(65 + i)}", FilerType.MARKETPLACE)
        )
    return filers


def generate(scenario: Scenario, progress: Callable[[str, int, int], None] | None = None) -> World:
    """The whole world for ``scenario``; ``progress(stage, done, total)`` reports along."""
    rng = np.random.default_rng(scenario.seed)
    pyrng = random.Random(scenario.seed)
    profile = load_profile(scenario.jurisdiction)
    rates = bundled_rates()
    values = unit_values_usd()
    catalogue = [p for p in products() if p.hs6 in values]
    relief = profile.relief_threshold(Mode.EXPRESS, "CN")
    threshold_usd = (
        float(rates.convert(relief.amount, profile.currency, "USD")) if relief else 150.0
    )

    marketplaces, sellers, seller_marketplace, seller_country, consolidators = build_actors(
        scenario, pyrng
    )
    n = scenario.shipments
    modes = _choice(rng, {m: getattr(scenario.modes, m.value) for m in MODES}, n)
    arrivals = _times(rng, scenario, n)
    seller_p = _zipf_weights(len(sellers), scenario.actors.seller_zipf)
    seller_of = rng.choice(len(sellers), size=n, p=seller_p)
    consignee_count = max(10, int(n * scenario.actors.consignees_per_shipment))
    consignee_of = rng.choice(
        consignee_count, size=n, p=_zipf_weights(consignee_count, scenario.actors.consignee_zipf)
    )
    product_of = rng.integers(0, len(catalogue), size=(n, 3))
    line_count = rng.choice([1, 2, 3], size=n, p=[0.7, 0.2, 0.1])
    quantity = rng.geometric(0.55, size=(n, 3))
    price_noise = rng.lognormal(0, 0.35, size=(n, 3))
    lead = np.empty(n)
    for mode in MODES:
        mask = modes == mode
        median, spread = LEAD_HOURS[mode]
        lead[mask] = rng.lognormal(np.log(median), spread, size=mask.sum())
    late = rng.random(n) < scenario.filing.late_share
    consolidated = rng.random(n) < scenario.actors.consolidated_share

    consignees: dict[int, Entity] = {}

    def consignee(index: int) -> Entity:
        if index not in consignees:
            consignees[index] = person(f"consignee-{index}", pyrng)
        return consignees[index]

    start = datetime(scenario.start.year, scenario.start.month, scenario.start.day, tzinfo=UTC)
    shipments: list[Shipment] = []
    counters: dict[str, int] = {}
    for i in range(n):
        mode = Mode(modes[i])
        seller = int(seller_of[i])
        country = seller_country[seller]
        if mode is Mode.TRUCK and country not in ("CA", "MX"):
            country = "MX" if i % 2 else "CA"
        arrival = datetime.fromtimestamp(float(arrivals[i]), UTC)
        deadline = profile.deadlines[mode].hours_before_arrival
        hours = (
            deadline * pyrng.uniform(0.1, 0.9)
            if late[i] and deadline > 0
            else max(float(lead[i]), deadline + 0.25)
        )
        filer = _filer_for(mode, seller_marketplace[seller], i)
        counters[filer] = counters.get(filer, 0) + 1
        reference = f"{filer}-{counters[filer]:09d}"
        lines = []
        for j in range(int(line_count[i])):
            product = catalogue[int(product_of[i, j])]
            unit = values[product.hs6].value * float(price_noise[i, j])
            lines.append(
                {
                    "product": product,
                    "quantity": int(quantity[i, j]),
                    "unit_true": unit,
                    "unit_declared": unit,
                    "brand": None,
                    "description": product.description,
                    "hs": product.hs6,
                }
            )
        shipper = consolidators[i % len(consolidators)] if consolidated[i] else sellers[seller]
        shipments.append(
            Shipment(
                index=i,
                mode=mode,
                filer=filer,
                reference=reference,
                country=country,
                port=PORTS[mode][i % len(PORTS[mode])],
                received=arrival - timedelta(hours=hours),
                arrival=arrival,
                seller=seller,
                shipper=shipper,
                shipper_name=None,
                consignee=consignee(int(consignee_of[i])),
                manufacturer=None,
                lines=lines,
                postal_category="sale_of_goods" if mode is Mode.MAIL else None,
                marketplace=seller_marketplace[seller],
            )
        )
        if progress is not None and i % 50_000 == 0:
            progress("shipments", i, n)
    if progress is not None:
        progress("shipments", n, n)

    world = World(
        scenario,
        profile,
        rates,
        _filers(scenario),
        marketplaces,
        sellers,
        seller_marketplace,
        seller_country,
        list(consignees.values()),
        consolidators,
        shipments,
        {},
        {"csl": [], "uflpa": []},
        threshold_usd,
    )
    from ecomrisk.simulate.schemes import plant_schemes

    plant_schemes(world, rng, pyrng, start)
    return world


def _filer_for(mode: Mode, marketplace: int, i: int) -> str:
    if mode is Mode.MAIL:
        return "POST-INTL"
    if mode is Mode.EXPRESS:
        return "EXP-1" if i % 3 else "EXP-2"
    if mode is Mode.TRUCK:
        return "TRUCK-1"
    # Air cargo: marketplaces file for their own sellers half of the time.
    return f"MKT-{chr(65 + marketplace)}" if i % 2 else "AIR-FWD"


@cache
def unit_values_usd() -> dict[str, UnitValue]:
    return bundled_unit_values(bundled_rates(), "USD")


@cache
def _usd_to(currency: str) -> float:
    rates = bundled_rates()
    return float(rates.per_eur[currency] / rates.per_eur["USD"])


def money(value: float, currency: str) -> str:
    """A USD amount in ``currency``, as a filer would key it (whole yen and won)."""
    converted = value * _usd_to(currency)
    return f"{converted:.0f}" if currency in ("JPY", "KRW") else f"{converted:.2f}"
