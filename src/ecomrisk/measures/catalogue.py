"""The performance measures, each defined once: name, what it means, unit, which
direction is good and which stored data it is computed from. Pure.

``docs/measures.md`` gives the formulas; a test holds it and this list equal."""

from dataclasses import dataclass
from typing import Literal

Direction = Literal["up", "down", "none"]
Unit = Literal["shipments", "share", "score", "ratio", "count", "money", "hours"]


@dataclass(frozen=True)
class Measure:
    name: str
    title: str
    definition: str
    unit: Unit
    good: Direction  # which way is better; "none" for a volume, which is context
    source: str  # the stored tables it reads
    grouped_by: str = ""  # the breakdown shown beside the overall value, if any


MEASURES: tuple[Measure, ...] = (
    Measure(
        "volume_by_mode",
        "Volume by mode",
        "Current, active shipments arriving in the period, by transport mode.",
        "shipments",
        "none",
        "shipments",
        "mode",
    ),
    Measure(
        "volume_by_port",
        "Volume by port",
        "Current, active shipments arriving in the period, by port of arrival.",
        "shipments",
        "none",
        "shipments",
        "port",
    ),
    Measure(
        "volume_by_filer",
        "Volume by filer",
        "Current, active shipments arriving in the period, by filer.",
        "shipments",
        "none",
        "shipments, filers",
        "filer",
    ),
    Measure(
        "advance_before_arrival",
        "Advance data before arrival",
        "Share of shipments arriving in the period whose data was received before the "
        "estimated arrival.",
        "share",
        "up",
        "shipments, filing_quality",
    ),
    Measure(
        "advance_within_deadline",
        "Advance data within the deadline",
        "Share of shipments arriving in the period whose data was received at least the "
        "jurisdiction profile's deadline for the mode before arrival.",
        "share",
        "up",
        "shipments, filing_quality",
    ),
    Measure(
        "data_quality",
        "Data quality by filer",
        "Mean data-quality score (0-1: completeness, timeliness, consistency) of the "
        "shipments arriving in the period, overall and by filer.",
        "score",
        "up",
        "filing_quality, shipments, filers",
        "filer",
    ),
    Measure(
        "exam_rate",
        "Exam rate",
        "Share of the shipments arriving in the period that were examined at least once.",
        "share",
        "none",
        "shipments, outcomes",
    ),
    Measure(
        "targeted_hit_rate",
        "Hit rate of targeted exams",
        "Share of conclusive targeted (score or forced) exams of shipments arriving in the "
        "period that found a violation, with an exact (few hits) or Wilson interval.",
        "share",
        "up",
        "outcomes, shipments",
    ),
    Measure(
        "random_violation_rate",
        "Violation rate of the random sample",
        "Design-weighted violation rate of the conclusive random-sample exams of shipments "
        "arriving in the period (stratified Hajek estimator, Korn-Graubard interval).",
        "share",
        "down",
        "outcomes, shipments, line_items, trusted_parties",
    ),
    Measure(
        "lift",
        "Lift of targeting",
        "Targeted hit rate divided by the random-sample violation rate, with a log-scale "
        "delta-method interval.",
        "ratio",
        "up",
        "outcomes, shipments, line_items, trusted_parties",
    ),
    Measure(
        "seizures",
        "Seizures by finding",
        "Exams whose action was a seizure, by the period of the exam, overall and by finding "
        "type (a seizure with two findings counts under both).",
        "count",
        "none",
        "outcomes, findings",
        "finding",
    ),
    Measure(
        "ipr_seizures",
        "IPR seizures by HS section",
        "Seizures with a counterfeit (IPR) finding, by the period of the exam, overall and "
        "by HS section of the first line item.",
        "count",
        "none",
        "outcomes, findings, line_items",
        "hs_section",
    ),
    Measure(
        "seized_msrp",
        "MSRP of seized goods",
        "Sum of the manufacturer's suggested retail price of seized goods, in the profile's "
        "currency, by the period of the exam, overall and by finding type.",
        "money",
        "none",
        "outcomes, findings, fx_rates",
        "finding",
    ),
    Measure(
        "revenue_recovered",
        "Revenue recovered",
        "Sum of revenue recovered by exams, in the profile's currency, by the period of the exam.",
        "money",
        "up",
        "outcomes, fx_rates",
    ),
    Measure(
        "compliance_rate",
        "Compliance rate",
        "One minus the random-sample violation rate: the estimated share of the whole flow "
        "arriving in the period that complies, with its interval.",
        "share",
        "up",
        "outcomes, shipments, line_items, trusted_parties",
    ),
    Measure(
        "release_hours",
        "Time from arrival to release",
        "Median hours from estimated arrival to release of the examined shipments released "
        "in the period (the case's release step, else the exam's time when its action was "
        "release); shipments not examined are released on arrival and are not counted.",
        "hours",
        "down",
        "shipments, outcomes, enforcement_cases, case_steps",
    ),
    Measure(
        "trusted_share",
        "Share moved by trusted shippers",
        "Share of the shipments arriving in the period whose filer, shipper, seller or "
        "consignee was a trusted party on the period's last day.",
        "share",
        "up",
        "shipments, parties, trusted_parties",
    ),
    Measure(
        "public_reports",
        "Public reports received",
        "Public reports of suspected violations received through the portal in the period, "
        "overall and by triage status (new until an analyst records the outcome).",
        "count",
        "none",
        "portal_reports",
        "status",
    ),
)

BY_NAME = {m.name: m for m in MEASURES}


class UnknownMeasureError(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"measure: {name!r} is not one of {', '.join(BY_NAME)}")


def measure(name: str) -> Measure:
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownMeasureError(name) from None
