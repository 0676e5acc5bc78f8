"""Planted violation schemes: named, parameterised generators over the world.

Each scheme takes the share of shipments its ``rate`` asks for (never a
shipment another scheme took), changes them the way the real scheme does,
and records in the ground truth the violation types and its members.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ecomrisk.domain.enums import Mode
from ecomrisk.simulate.parties import company, name_variant
from ecomrisk.simulate.world import VAGUE, Shipment, World, brands, products, unit_values_usd

Planter = Callable[[World, list[Shipment], Any, np.random.Generator, random.Random, datetime], None]
SCHEMES: dict[str, Planter] = {}


def scheme(name: str) -> Callable[[Planter], Planter]:
    def register(planter: Planter) -> Planter:
        SCHEMES[name] = planter
        return planter

    return register


def _members(world: World, name: str) -> set[str]:
    return world.scheme_members.setdefault(name, set())


def _mark(shipment: Shipment, scheme_name: str, *violations: str) -> None:
    shipment.schemes.append(scheme_name)
    for violation in violations:
        if violation not in shipment.violations:
            shipment.violations.append(violation)


@scheme("undervaluation")
def undervaluation(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """A few sellers declare a fraction of what their goods are worth."""
    actors = max(1, int(len(world.sellers) * (params.actors or 0.01)))
    bad = pyrng.sample(range(len(world.sellers)), actors)
    for shipment in chosen:
        shipment.seller = pyrng.choice(bad)
        shipment.shipper = world.sellers[shipment.seller]
        for line in shipment.lines:
            line["unit_declared"] = line["unit_true"] * pyrng.uniform(
                params.factor_min or 0.05, params.factor_max or 0.35
            )
        _mark(shipment, "undervaluation", "undervaluation")
    _members(world, "undervaluation").update(world.sellers[i].id for i in bad)


@scheme("splitting")
def splitting(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """One order over the threshold split into parcels under it, to one consignee the same day."""
    parcels_min, parcels_max = params.parcels_min or 3, params.parcels_max or 7
    splitters = [
        world.consignee(pyrng.randrange(world.people.count)) for _ in range(params.consignees or 40)
    ]
    i = 0
    while i < len(chosen):
        group = chosen[i : i + pyrng.randint(parcels_min, parcels_max)]
        i += len(group)
        target = splitters[pyrng.randrange(len(splitters))]
        arrival = group[0].arrival
        # Over the threshold together, each parcel under it.
        order_value = min(
            world.threshold_usd * pyrng.uniform(1.3, 3.0), 0.95 * world.threshold_usd * len(group)
        )
        for shipment in group:
            shipment.consignee = target
            shipment.arrival = arrival.replace(hour=pyrng.randint(6, 18))
            shipment.received = shipment.arrival - timedelta(hours=pyrng.uniform(12, 48))
            line = shipment.lines[0]
            shipment.lines = [line]
            share = order_value / len(group)
            line["unit_true"] = share / line["quantity"]
            line["unit_declared"] = line["unit_true"]
            _mark(shipment, "splitting", "split_shipment")
        _members(world, "splitting").add(target.id)


@scheme("misdescription")
def misdescription(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """Vague words instead of a description, or an HS code that does not fit the goods."""
    actors = max(1, int(len(world.sellers) * (params.actors or 0.01)))
    bad = pyrng.sample(range(len(world.sellers)), actors)
    catalogue = products()
    for shipment in chosen:
        shipment.seller = pyrng.choice(bad)
        shipment.shipper = world.sellers[shipment.seller]
        line = shipment.lines[0]
        if pyrng.random() < 0.6:
            line["description"] = pyrng.choice(VAGUE)
        else:  # declared under the code of something cheaper and unrelated
            other = pyrng.choice([p for p in catalogue if p.category != line["product"].category])
            line["hs"] = other.hs6
        _mark(shipment, "misdescription", "misdescription")
    _members(world, "misdescription").update(world.sellers[i].id for i in bad)


@scheme("counterfeit")
def counterfeit(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """Rings of seller accounts under name variants, sharing address, phone and email,
    selling branded goods at a fraction of the genuine price."""
    catalogue = [p for p in products() if p.brandable]
    rings = []
    for r in range(params.rings or 3):
        operator = company(f"ring-{r}", "CN", pyrng)
        accounts = [operator.name] + [
            name_variant(operator.name, pyrng, 0.05)
            for _ in range((params.accounts_per_ring or 5) - 1)
        ]
        rings.append((operator, sorted(set(accounts))))
        world.bad_actors["csl"].append(operator)
        operator.extra_names = [a for a in accounts if a != operator.name]
        _members(world, "counterfeit").add(operator.id)
    for shipment in chosen:
        operator, accounts = rings[pyrng.randrange(len(rings))]
        shipment.seller = None
        shipment.shipper = operator
        shipment.shipper_name = pyrng.choice(accounts)
        product = pyrng.choice(catalogue)
        brand = pyrng.choice(
            [b for b, c in brands() if c == product.category] or [b for b, _ in brands()]
        )
        genuine = world_unit_value(world, product.hs6) * pyrng.uniform(3, 10)
        shipment.lines = [
            {
                "product": product,
                "quantity": pyrng.randint(1, 4),
                "unit_true": genuine,
                "msrp": genuine,
                "unit_declared": genuine * pyrng.uniform(0.03, 0.15),
                "brand": brand,
                "description": f"{brand} {product.description}",
                "hs": product.hs6,
            }
        ]
        _mark(shipment, "counterfeit", "counterfeit")


def world_unit_value(world: World, hs6: str) -> float:
    return unit_values_usd()[hs6].value


@scheme("prohibited")
def prohibited(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """Pill presses and precursor chemicals under innocent descriptions."""
    shippers = [
        company(f"prohibited-{i}", pyrng.choice(["CN", "HK"]), pyrng)
        for i in range(params.shippers or 4)
    ]
    world.bad_actors["csl"].extend(shippers)
    goods = [
        ("847989", "machine parts", "tablet press machine", 900.0),
        ("292429", "chemical sample", "precursor chemical", 50.0),
    ]
    for shipment in chosen:
        shipper = pyrng.choice(shippers)
        shipment.shipper, shipment.seller, shipment.marketplace = shipper, None, None
        hs6, declared_as, _truth, value = pyrng.choice(goods)
        product = next(p for p in products() if p.hs6 == "392690")
        shipment.lines = [
            {
                "product": product,
                "quantity": 1,
                "unit_true": value,
                "unit_declared": value * 0.2,
                "brand": None,
                "description": declared_as,
                "hs": hs6,
            }
        ]
        _mark(shipment, "prohibited", "prohibited")
    _members(world, "prohibited").update(s.id for s in shippers)


@scheme("forced_labour")
def forced_labour(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """Cotton goods made by manufacturers on the forced-labour entity list."""
    makers = [company(f"manufacturer-{i}", "CN", pyrng) for i in range(params.manufacturers or 5)]
    for maker in makers:
        maker.extra_names = [name_variant(maker.name, pyrng, 0.0)]
    world.bad_actors["uflpa"].extend(makers)
    cotton = [p for p in products() if "cotton" in p.description]
    for shipment in chosen:
        shipment.manufacturer = pyrng.choice(makers)
        for line in shipment.lines:
            product = pyrng.choice(cotton)
            line.update(product=product, description=product.description, hs=product.hs6)
        _mark(shipment, "forced_labour", "forced_labour")
    _members(world, "forced_labour").update(m.id for m in makers)


@scheme("false_gift")
def false_gift(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """Sales declared as gifts by the seller, to pass as exempt."""
    for shipment in chosen:
        shipment.mode = Mode.MAIL
        shipment.filer = "POST-INTL"
        shipment.postal_category = "gift"
        _mark(shipment, "false_gift", "false_gift_claim")
        if shipment.seller is not None:
            _members(world, "false_gift").add(world.sellers[shipment.seller].id)


@scheme("drift_undervaluation")
def drift_undervaluation(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """New sellers undervaluing bicycles, from mid-period on: what past data never showed."""
    begin = start + timedelta(days=params.start_day or world.scenario.days // 2)
    sellers = [
        company(f"drift-seller-{i}", "CN", pyrng, f"M0-{900000 + i}")
        for i in range(params.sellers or 10)
    ]
    bicycle = next(p for p in products() if p.hs6 == "871200")
    span = max(1, world.scenario.days - (begin - start).days)
    # Declared share of the true value; a mild one (0.5-0.8) looks like honest trade.
    low, high = params.factor_min or 0.1, params.factor_max or 0.3
    for shipment in chosen:
        shipment.seller = None
        shipment.shipper = pyrng.choice(sellers)
        shipment.arrival = begin + timedelta(days=pyrng.randrange(span), hours=pyrng.randint(6, 20))
        shipment.received = shipment.arrival - timedelta(hours=pyrng.uniform(12, 72))
        unit = world_unit_value(world, "871200") * pyrng.uniform(2.5, 5)  # e-bikes
        shipment.lines = [
            {
                "product": bicycle,
                "quantity": 1,
                "unit_true": unit,
                "unit_declared": unit * pyrng.uniform(low, high),
                "brand": None,
                "description": "electric bicycle",
                "hs": "871200",
            }
        ]
        _mark(shipment, "drift_undervaluation", "undervaluation")
    _members(world, "drift_undervaluation").update(s.id for s in sellers)


@scheme("drift_quiet_undervaluation")
def drift_quiet_undervaluation(
    world: World,
    chosen: list[Shipment],
    params: Any,
    rng: np.random.Generator,
    pyrng: random.Random,
    start: datetime,
) -> None:
    """From mid-period, established sellers of one country ship premium versions of one
    product declared at the ordinary product's price.

    Unlike ``drift_undervaluation`` nothing on the filing stands out: the declared unit
    value is drawn like an honest one around the reference value, the sellers have a long
    record, the route and goods are ordinary. Only an exam shows the true value, so a
    model trained on past exams has nothing to go on but the trade lane itself.
    """
    begin = start + timedelta(days=params.start_day or world.scenario.days // 2)
    country, hs6 = params.country or "KR", params.hs6 or "330300"
    lane = [i for i, c in enumerate(world.seller_country) if c == country]
    if not lane:
        raise ValueError(f"drift_quiet_undervaluation: the world has no seller from {country}")
    # Established: the lane's busiest sellers (volume falls with the index), accounts
    # with a record of honest filings before the scheme starts.
    bad = lane[: params.sellers or 10]
    product = next(p for p in products() if p.hs6 == hs6)
    reference = world_unit_value(world, hs6)
    span = max(1, world.scenario.days - (begin - start).days)
    low, high = params.factor_min or 0.25, params.factor_max or 0.5
    for shipment in chosen:
        shipment.seller = pyrng.choice(bad)
        shipment.shipper = world.sellers[shipment.seller]
        shipment.marketplace = world.seller_marketplace[shipment.seller]
        shipment.country = country
        if shipment.mode is Mode.TRUCK:  # no truck from overseas: posted instead
            shipment.mode, shipment.filer = Mode.MAIL, "POST-INTL"
            shipment.port, shipment.postal_category = "USJFK", "sale_of_goods"
        shipment.arrival = begin + timedelta(days=pyrng.randrange(span), hours=pyrng.randint(6, 20))
        shipment.received = shipment.arrival - timedelta(hours=pyrng.uniform(12, 72))
        declared = reference * pyrng.lognormvariate(0, 0.35)  # as honest prices vary
        shipment.lines = [
            {
                "product": product,
                "quantity": pyrng.randint(1, 3),
                "unit_true": declared / pyrng.uniform(low, high),
                "unit_declared": declared,
                "brand": None,
                "description": product.description,
                "hs": hs6,
            }
        ]
        _mark(shipment, "drift_quiet_undervaluation", "undervaluation")
    _members(world, "drift_quiet_undervaluation").update(world.sellers[i].id for i in bad)


def plant_schemes(
    world: World, rng: np.random.Generator, pyrng: random.Random, start: datetime
) -> None:
    """Hand each scheme of the scenario its share of shipments, in a fixed order.

    Only the chosen shipments are built here; ``world.planted`` keeps them as changed.
    """
    free = rng.permutation(world.size)
    cursor = 0
    for name in sorted(world.scenario.schemes):
        if name not in SCHEMES:
            raise ValueError(
                f"scenario names an unknown scheme {name!r}; known: {', '.join(sorted(SCHEMES))}"
            )
        params = world.scenario.schemes[name]
        count = round(params.rate * world.size)
        chosen = world.shipments_at(free[cursor : cursor + count])
        cursor += count
        if chosen:
            SCHEMES[name](world, chosen, params, rng, pyrng, start)
        world.planted.update((shipment.index, shipment) for shipment in chosen)
