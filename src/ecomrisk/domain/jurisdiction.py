"""Jurisdiction profiles: the thresholds, deadlines, lanes and sampling rates of one
customs territory at one time, read from a TOML file, never written in code.

Thresholds change often (the U.S. suspended its de minimis in 2025, the EU
replaced its duty relief in 2026), so each profile is a dated file with its
legal sources in comments. ``load_profile`` rejects a bad file with the file,
the key and the problem.
"""

import tomllib
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecomrisk.domain.codes import CountryCode, CurrencyCode
from ecomrisk.domain.enums import Lane, Mode

PROFILE_PACKAGE = "ecomrisk.profiles"

Rate = Annotated[float, Field(ge=0, le=1)]


class ProfileError(ValueError):
    """A profile that cannot be used: names the file, the key and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    """A value limit with its legal effect.

    ``relief`` says what a shipment at or under the limit is spared:
    ``duty_and_tax`` (a de minimis exemption), ``duty`` or ``tax`` only, or
    ``none`` where the limit only changes how the levy is collected (e.g. a flat
    duty per item category, or tax taken by the marketplace at sale).
    """

    name: str = Field(min_length=1)
    amount: Annotated[Decimal, Field(ge=0)]
    basis: Literal["per_shipment", "per_person_per_day", "per_item_category"]
    relief: Literal["duty_and_tax", "duty", "tax", "none"]
    modes: list[Mode] | None = Field(default=None, description="None: every mode")
    export_countries: list[CountryCode] | None = Field(
        default=None, description="None: shipments from any country"
    )
    flat_duty: Annotated[Decimal, Field(ge=0)] | None = Field(
        default=None, description="Levy per basis unit where a flat duty replaces relief"
    )
    note: str = ""

    def applies_to(self, mode: Mode, country_of_export: str) -> bool:
        return (self.modes is None or mode in self.modes) and (
            self.export_countries is None or country_of_export in self.export_countries
        )


class Deadline(_Strict):
    """Advance data must arrive this many hours before the conveyance does."""

    hours_before_arrival: Annotated[float, Field(ge=0, le=24 * 30)]
    note: str = ""


class Sampling(_Strict):
    """Floors on random selection, so compliance can always be measured."""

    min_random_rate: Rate = Field(description="Random compliance sample share of all shipments")
    trusted_random_rate: Rate = Field(description="Share for trusted shippers: lower, never zero")
    exploration_share: Rate = Field(description="Share of capacity spent exploring")

    @model_validator(mode="after")
    def _never_zero(self) -> "Sampling":
        if self.min_random_rate <= 0:
            raise ValueError("min_random_rate: must be above zero, or compliance is unmeasurable")
        if not 0 < self.trusted_random_rate <= self.min_random_rate:
            raise ValueError("trusted_random_rate: must be above zero and at most min_random_rate")
        return self


class JurisdictionProfile(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    country: CountryCode
    currency: CurrencyCode
    valid_from: date
    valid_to: date | None = None
    customs_day_utc_offset_hours: Annotated[float, Field(ge=-12, le=14)] = Field(
        default=0,
        description="Fixed offset of the customs day from UTC: 'per person per day' limits "
        "and same-day windows count days in this offset",
    )
    thresholds: list[Threshold] = Field(default_factory=list)
    deadlines: dict[Mode, Deadline]
    lanes: list[Lane] = Field(min_length=2)
    sampling: Sampling

    @model_validator(mode="after")
    def _consistent(self) -> "JurisdictionProfile":
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to: earlier than valid_from")
        if self.lanes[0] is not Lane.RELEASE:
            raise ValueError("lanes: the first lane must be release")
        if sorted(self.lanes, key=lambda lane: lane.rank) != self.lanes:
            raise ValueError("lanes: must be listed in increasing order of intervention")
        missing = {Mode.MAIL, Mode.EXPRESS, Mode.AIR_CARGO, Mode.TRUCK} - set(self.deadlines)
        if missing:
            raise ValueError(f"deadlines: no deadline for {', '.join(sorted(missing))}")
        return self

    def thresholds_for(self, mode: Mode, country_of_export: str) -> list[Threshold]:
        return [t for t in self.thresholds if t.applies_to(mode, country_of_export)]

    def relief_threshold(self, mode: Mode, country_of_export: str) -> Threshold | None:
        """The highest threshold that spares duty for this route, if any (the
        value under which splitting a consignment pays)."""
        relieving = [
            t
            for t in self.thresholds_for(mode, country_of_export)
            if t.relief in ("duty_and_tax", "duty")
        ]
        return max(relieving, key=lambda t: t.amount, default=None)


def _problem(error: ValidationError) -> str:
    lines = []
    for e in error.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(profile)"
        lines.append(f"  {key}: {str(e['msg']).removeprefix('Value error, ')}")
    return "\n".join(lines)


def parse_profile(text: str, source: str) -> JurisdictionProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{source}: not valid TOML: {error}") from None
    try:
        return JurisdictionProfile.model_validate(data)
    except ValidationError as error:
        raise ProfileError(f"{source}: invalid profile:\n{_problem(error)}") from None


def shipped_profiles() -> list[str]:
    """Ids of the profiles shipped with ecomrisk."""
    folder = resources.files(PROFILE_PACKAGE)
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_profile(name_or_path: str | Path) -> JurisdictionProfile:
    """Load a shipped profile by id (e.g. ``UK``) or any profile file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ProfileError(f"{path}: no such profile file")
        return parse_profile(path.read_text("utf-8"), str(path))
    name = str(name_or_path)
    resource = resources.files(PROFILE_PACKAGE).joinpath(f"{name}.toml")
    if not resource.is_file():
        known = ", ".join(shipped_profiles())
        raise ProfileError(f"unknown jurisdiction profile {name!r}; shipped profiles: {known}")
    profile = parse_profile(resource.read_text("utf-8"), f"{name}.toml")
    if profile.id != name:
        raise ProfileError(f"{name}.toml: id is {profile.id!r}, expected {name!r}")
    return profile
