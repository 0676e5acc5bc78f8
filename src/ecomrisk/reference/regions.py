"""World regions of countries (UN M49 sub-regions), for compliance strata."""

import csv
import io
from functools import cache
from importlib import resources

UNKNOWN_REGION = "unknown"


@cache
def _regions() -> dict[str, str]:
    text = resources.files("ecomrisk.reference").joinpath("data/m49_regions.csv").read_text("utf-8")
    lines = (line for line in io.StringIO(text) if not line.startswith("#"))
    return {row["country"]: row["region"] for row in csv.DictReader(lines)}


def region_of(country: str | None) -> str:
    """The M49 sub-region of an ISO 3166-1 alpha-2 code, or ``unknown``."""
    return _regions().get((country or "").upper(), UNKNOWN_REGION)
