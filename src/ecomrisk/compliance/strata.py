"""Compliance strata: which cell of the flow a shipment belongs to. Pure.

A stratum is named by its variables as ``mode=mail|region=Eastern Asia|hs=XI|trusted=no``
so designs, selections and reports agree on it as a plain string."""

from collections.abc import Sequence
from dataclasses import dataclass

from ecomrisk.reference import hs
from ecomrisk.reference.regions import region_of

STRATIFIERS = ("mode", "region", "hs", "trusted")


class StrataError(ValueError):
    """Unknown stratification variables."""


@dataclass(frozen=True)
class Unit:
    """What stratification needs of one shipment. ``country`` is the country of
    export (the origin of the parcel's journey)."""

    mode: str
    country: str
    hs_code: str | None
    trusted: bool


def hs_section(hs_code: str | None) -> str:
    if not hs_code:
        return "none"
    try:
        return hs.section_of(hs_code)
    except LookupError:
        return "unknown"


def parse_by(text: str) -> tuple[str, ...]:
    """``mode,region`` to a tuple of stratifiers, refusing unknown names."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in STRATIFIERS]
    if unknown or not names:
        raise StrataError(
            f"by: unknown stratifier {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(STRATIFIERS)}"
        )
    return names


def stratum_of(unit: Unit, by: Sequence[str] = STRATIFIERS) -> str:
    values = {
        "mode": unit.mode,
        "region": region_of(unit.country),
        "hs": hs_section(unit.hs_code),
        "trusted": "yes" if unit.trusted else "no",
    }
    return "|".join(f"{name}={values[name]}" for name in by)


def is_trusted_stratum(stratum: str) -> bool:
    return "trusted=yes" in stratum.split("|")
