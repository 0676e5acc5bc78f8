"""The inspection history: a biased rules-based targeting policy, a random sample
with a known inclusion probability, and what exams found.

Outcomes exist only for inspected shipments, as in real data, so whoever
learns from them faces the selection bias a customs agency faces.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from ecomrisk.domain.enums import Mode
from ecomrisk.simulate.world import VAGUE, Shipment, World

SEIZED = {"counterfeit", "prohibited", "forced_labour"}


@dataclass(frozen=True)
class Inspection:
    shipment: Shipment
    selection: str  # random | targeted
    inclusion_probability: float | None
    outcome: dict[str, Any]  # an Outcome record as JSON


def targeting_weight(shipment: Shipment, declared_value: float) -> float:
    """What the old rules looked at: origin, express, vague text, low values."""
    weight = 1.0
    if shipment.country in ("CN", "HK"):
        weight *= 2.0
    if shipment.mode is Mode.EXPRESS:
        weight *= 1.5
    if any(line["description"] in VAGUE for line in shipment.lines):
        weight *= 4.0
    if declared_value < 5:
        weight *= 2.5
    return weight


def inspect(world: World, weights: np.ndarray, pyrng: random.Random) -> list[Inspection]:
    """Who was inspected, given each shipment's ``targeting_weight``, and what exams found."""
    params = world.scenario.inspection
    # Scale so the expected targeted share is the scenario's rate.
    scale = params.targeted_rate * len(weights) / weights.sum()
    # The random draw is made for every shipment, so its probability is known exactly.
    draws = np.random.default_rng(world.scenario.seed + 1).random((len(weights), 2))
    sampled = draws[:, 0] < params.random_rate
    targeted = ~sampled & (draws[:, 1] < np.minimum(1.0, weights * scale))
    inspections = []
    chosen = np.flatnonzero(sampled | targeted)
    for i, shipment in zip(chosen, world.shipments_at(chosen), strict=True):
        selection, probability = (
            ("random", params.random_rate) if sampled[i] else ("targeted", None)
        )
        inspections.append(
            Inspection(
                shipment,
                selection,
                probability,
                exam_outcome(world, shipment, selection, probability, pyrng),
            )
        )
    return inspections


def exam_outcome(
    world: World,
    shipment: Shipment,
    selection: str,
    probability: float | None,
    pyrng: random.Random,
) -> dict[str, Any]:
    """What an exam of ``shipment`` finds (each violation with the world's detection
    rate) as an Outcome record; public for the targeting simulation, which draws it
    once per shipment so that every strategy sees the same result."""
    params = world.scenario.inspection
    found = [v for v in shipment.violations if pyrng.random() < params.detection]
    exam_type = (
        "physical"
        if selection == "random"
        else pyrng.choice(["physical", "physical", "scan", "document_review"])
    )
    examined = shipment.arrival + timedelta(hours=pyrng.uniform(1, 48))
    outcome: dict[str, Any] = {
        "exam_type": exam_type,
        "result": "violation" if found else "no_violation",
        "findings": [],
        "action": "release",
        "examined_at": examined.isoformat(),
        "selection": selection,
        "inclusion_probability": probability,
    }
    if not found:
        return outcome
    revenue = 0.0
    msrp = 0.0
    for violation in found:
        finding: dict[str, Any] = {"finding_type": violation}
        if violation in ("undervaluation", "split_shipment", "false_gift_claim"):
            finding["corrected_value"] = f"{shipment.true_value:.2f}"
            revenue += params.duty_rate * max(shipment.true_value - shipment.declared_value, 0) + (
                params.duty_rate * shipment.true_value if violation != "undervaluation" else 0
            )
        if violation == "counterfeit":
            msrp += sum(
                line.get("msrp", line["unit_true"]) * line["quantity"] for line in shipment.lines
            )
        outcome["findings"].append(finding)
    if SEIZED & set(found):
        outcome["action"] = "seize"
    if msrp:
        outcome["msrp_seized"] = f"{msrp:.2f}"
    if revenue:
        outcome["revenue_recovered"] = f"{revenue:.2f}"
    if msrp or revenue:
        outcome["currency"] = "USD"
    return outcome
