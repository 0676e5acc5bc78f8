"""Generate the synthetic world: actors, shipments, planted schemes, inspections.

Column-wise with NumPy where it counts (who ships what, when, for how much),
then one pass that renders each shipment as a ``ShipmentFiling`` JSON
document. Deterministic for a given scenario and seed.
"""

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ecomrisk.domain.enums import FilerType, Mode
from ecomrisk.domain.jurisdiction import JurisdictionProfile, load_profile
from ecomrisk.features.shipment import UnitValue
from ecomrisk.reference.fx import RateTable, bundled_rates
from ecomrisk.reference.unit_values import bundled_unit_values
from ecomrisk.simulate.parties import Entity, People, company, people
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
class Plan:
    """The vectorised draws for every shipment, one row each; ``World.shipment`` builds from it.

    Drawn once, deterministically, in one process; any process can then build
    (and render) any shipment on its own, so the per-shipment work runs on every core.
    """

    modes: np.ndarray  # index into MODES
    filer: np.ndarray  # index into World.filers
    number: np.ndarray  # the filer's serial number of the shipment (1, 2, ...)
    arrival: np.ndarray  # epoch seconds
    received: np.ndarray  # epoch seconds
    seller: np.ndarray
    consignee: np.ndarray  # index into World.people
    consolidated: np.ndarray
    line_count: np.ndarray
    product: np.ndarray  # (n, 3): index into the catalogue
    quantity: np.ndarray  # (n, 3)
    price_noise: np.ndarray  # (n, 3)


PLAN_COLUMNS = [f.name for f in fields(Plan)]  # in the order ``World._build`` takes them


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
    people: People  # every possible consignee
    consolidators: list[Entity]
    plan: Plan
    planted: dict[int, Shipment]  # the shipments schemes took, as the schemes left them
    scheme_members: dict[str, set[str]]
    bad_actors: dict[str, list[Entity]]  # listed on watch lists, by list
    threshold_usd: float
    catalogue: list[Product] = field(default_factory=list)
    catalogue_values: list[float] = field(default_factory=list)  # reference USD unit values
    _consignees: dict[int, Entity] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return len(self.plan.modes)

    def consignee(self, index: int) -> Entity:
        """Person ``index``, built once per process while it is used often (long-tailed)."""
        entity = self._consignees.get(index)
        if entity is None:
            if len(self._consignees) > 200_000:  # bound the memory of a long run
                self._consignees.clear()
            entity = self._consignees[index] = self.people.entity(index)
        return entity

    def shipment(self, i: int) -> Shipment:
        """Shipment ``i``: as a scheme changed it, or as the plan draws it."""
        return self.shipments_at(np.array([i]))[0]

    def shipments(self, start: int, stop: int) -> list[Shipment]:
        """Shipments ``start`` to ``stop - 1``, in order."""
        return self.shipments_at(np.arange(start, stop))

    def shipments_at(self, indices: np.ndarray) -> list[Shipment]:
        """The shipments at ``indices``, in that order."""
        # Whole columns to plain lists at once: reading NumPy scalars one at a
        # time costs more than building the shipment.
        columns = [getattr(self.plan, name)[indices].tolist() for name in PLAN_COLUMNS]
        built = []
        for i, *row in zip(indices.tolist(), *columns, strict=True):
            planted = self.planted.get(i)
            built.append(planted if planted is not None else self._build(i, *row))
        return built

    def _build(
        self,
        i: int,
        mode_index: int,
        filer_index: int,
        number: int,
        arrival: int,
        received: int,
        seller: int,
        consignee: int,
        consolidated: bool,
        line_count: int,
        products: list[int],
        quantities: list[int],
        price_noise: list[float],
    ) -> Shipment:
        mode = MODES[mode_index]
        country = self.seller_country[seller]
        if mode is Mode.TRUCK and country not in ("CA", "MX"):
            country = "MX" if i % 2 else "CA"
        filer = self.filers[filer_index].code
        lines = []
        for j in range(line_count):
            product = self.catalogue[products[j]]
            unit = self.catalogue_values[products[j]] * price_noise[j]
            lines.append(
                {
                    "product": product,
                    "quantity": quantities[j],
                    "unit_true": unit,
                    "unit_declared": unit,
                    "brand": None,
                    "description": product.description,
                    "hs": product.hs6,
                }
            )
        consolidator = self.consolidators[i % len(self.consolidators)]
        shipper = consolidator if consolidated else self.sellers[seller]
        ports = PORTS[mode]
        return Shipment(
            index=i,
            mode=mode,
            filer=filer,
            reference=f"{filer}-{number:09d}",
            country=country,
            port=ports[i % len(ports)],
            received=datetime.fromtimestamp(received, UTC),
            arrival=datetime.fromtimestamp(arrival, UTC),
            seller=seller,
            shipper=shipper,
            shipper_name=None,
            consignee=self.consignee(consignee),
            manufacturer=None,
            lines=lines,
            postal_category="sale_of_goods" if mode is Mode.MAIL else None,
            marketplace=self.seller_marketplace[seller],
        )


def _choice(rng: np.random.Generator, shares: dict[Any, float], size: int) -> np.ndarray:
    """Indices into ``list(shares)``, drawn with the shares as probabilities."""
    p = np.array(list(shares.values()), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


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
    return int(start.timestamp()) + day * 86400 + hour * 3600 + seconds


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


# Positions in ``_filers``: the fixed filers first, then one per marketplace.
POST, EXPRESS_1, EXPRESS_2, FORWARDER, TRUCKER, FIRST_MARKETPLACE = range(6)


def _filer_of(modes: np.ndarray, marketplace: np.ndarray) -> np.ndarray:
    """Who files each shipment (an index into ``_filers``)."""
    i = np.arange(len(modes))
    mail, express, truck = (MODES.index(m) for m in (Mode.MAIL, Mode.EXPRESS, Mode.TRUCK))
    return np.select(
        [modes == mail, modes == express, modes == truck],
        [POST, np.where(i % 3 != 0, EXPRESS_1, EXPRESS_2), TRUCKER],
        # Air cargo: marketplaces file for their own sellers half of the time.
        np.where(i % 2 == 1, FIRST_MARKETPLACE + marketplace, FORWARDER),
    )


def _serials(filer: np.ndarray) -> np.ndarray:
    """Each shipment's serial number with its filer: 1, 2, ... in shipment order."""
    order = np.argsort(filer, kind="stable")
    ranks = np.empty(len(filer), dtype=np.int64)
    sorted_filers = filer[order]
    first_of_filer = np.searchsorted(sorted_filers, sorted_filers, side="left")
    ranks[order] = np.arange(len(filer)) - first_of_filer + 1
    return ranks


def _received(
    rng: np.random.Generator,
    scenario: Scenario,
    profile: JurisdictionProfile,
    modes: np.ndarray,
    arrival: np.ndarray,
) -> np.ndarray:
    """Filing times (epoch seconds): a lognormal lead by mode; a share files late."""
    n = len(modes)
    lead = np.empty(n)
    deadline = np.empty(n)
    for k, mode in enumerate(MODES):
        mask = modes == k
        median, spread = LEAD_HOURS[mode]
        lead[mask] = rng.lognormal(np.log(median), spread, size=mask.sum())
        deadline[mask] = profile.deadlines[mode].hours_before_arrival
    late = (rng.random(n) < scenario.filing.late_share) & (deadline > 0)
    hours = np.where(
        late, deadline * rng.uniform(0.1, 0.9, size=n), np.maximum(lead, deadline + 0.25)
    )
    return arrival - np.round(hours * 3600).astype(np.int64)


def generate(scenario: Scenario, progress: Callable[[str, int, int], None] | None = None) -> World:
    """The whole world for ``scenario``; ``progress(stage, done, total)`` reports along.

    Only the plan is drawn here; shipments are built from it when written.
    """
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
    arrival = _times(rng, scenario, n)
    seller_of = rng.choice(
        len(sellers), size=n, p=_zipf_weights(len(sellers), scenario.actors.seller_zipf)
    )
    consignee_count = max(10, int(n * scenario.actors.consignees_per_shipment))
    consignee_of = rng.choice(
        consignee_count, size=n, p=_zipf_weights(consignee_count, scenario.actors.consignee_zipf)
    )
    filer = _filer_of(modes, np.array(seller_marketplace)[seller_of])
    plan = Plan(
        modes=modes,
        filer=filer,
        number=_serials(filer),
        arrival=arrival,
        received=_received(rng, scenario, profile, modes, arrival),
        seller=seller_of,
        consignee=consignee_of,
        consolidated=rng.random(n) < scenario.actors.consolidated_share,
        line_count=rng.choice([1, 2, 3], size=n, p=[0.7, 0.2, 0.1]),
        product=rng.integers(0, len(catalogue), size=(n, 3)),
        quantity=rng.geometric(0.55, size=(n, 3)),
        price_noise=rng.lognormal(0, 0.35, size=(n, 3)),
    )
    world = World(
        scenario,
        profile,
        rates,
        _filers(scenario),
        marketplaces,
        sellers,
        seller_marketplace,
        seller_country,
        people(consignee_count, rng),
        consolidators,
        plan,
        {},
        {},
        {"csl": [], "uflpa": []},
        threshold_usd,
        catalogue,
        [values[p.hs6].value for p in catalogue],
    )
    from ecomrisk.simulate.schemes import plant_schemes

    start = datetime(scenario.start.year, scenario.start.month, scenario.start.day, tzinfo=UTC)
    plant_schemes(world, rng, pyrng, start)
    if progress is not None:
        progress("shipments", n, n)
    return world


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
