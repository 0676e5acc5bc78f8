"""The parameters of a synthetic world, read from a TOML scenario file."""

import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecomrisk.domain.codes import CountryCode

Share = Annotated[float, Field(ge=0, le=1)]


class ScenarioError(ValueError):
    """A scenario file that cannot be used: names the file, the key and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Modes(_Strict):
    mail: Share
    express: Share
    air_cargo: Share
    truck: Share

    @model_validator(mode="after")
    def _sum(self) -> "Modes":
        if abs(self.mail + self.express + self.air_cargo + self.truck - 1) > 1e-6:
            raise ValueError("mode shares must add up to 1")
        return self


class Actors(_Strict):
    marketplaces: Annotated[int, Field(ge=1, le=100)]
    sellers: Annotated[int, Field(ge=50)]
    seller_zipf: Annotated[float, Field(gt=0, le=5)]
    consignees_per_shipment: Annotated[float, Field(gt=0, le=1)]
    consignee_zipf: Annotated[float, Field(gt=0, le=5)]
    consolidators: Annotated[int, Field(ge=1)]
    consolidated_share: Share


class Variation(_Strict):
    name: Share
    address: Share
    phone: Share
    typo: Share


class Filing(_Strict):
    late_share: Share
    missing_seller_mail: Share
    missing_phone: Share
    missing_email: Share


class Scheme(_Strict):
    rate: Share
    actors: Share | None = None
    factor_min: Share | None = None
    factor_max: Share | None = None
    parcels_min: Annotated[int, Field(ge=2)] | None = None
    parcels_max: Annotated[int, Field(ge=2)] | None = None
    consignees: Annotated[int, Field(ge=1)] | None = None
    rings: Annotated[int, Field(ge=1)] | None = None
    accounts_per_ring: Annotated[int, Field(ge=1)] | None = None
    shippers: Annotated[int, Field(ge=1)] | None = None
    sellers: Annotated[int, Field(ge=1)] | None = None
    manufacturers: Annotated[int, Field(ge=1)] | None = None
    start_day: Annotated[int, Field(ge=0)] | None = None
    country: CountryCode | None = None  # the trade lane of a scheme that keeps to one
    hs6: Annotated[str, Field(pattern=r"^[0-9]{6}$")] | None = None


class Inspection(_Strict):
    targeted_rate: Share
    random_rate: Annotated[float, Field(gt=0, le=1)]
    detection: Share
    duty_rate: Share


class Watchlists(_Strict):
    decoys: Annotated[int, Field(ge=0, le=10_000)]


class Scenario(_Strict):
    seed: int
    shipments: Annotated[int, Field(ge=100, le=100_000_000)]
    start: date
    days: Annotated[int, Field(ge=1, le=3660)]
    jurisdiction: str
    modes: Modes
    origins: dict[CountryCode, Share]
    actors: Actors
    variation: Variation
    filing: Filing
    schemes: dict[str, Scheme]
    inspection: Inspection
    watchlists: Watchlists

    @model_validator(mode="after")
    def _check(self) -> "Scenario":
        if abs(sum(self.origins.values()) - 1) > 1e-6:
            raise ValueError("origins: shares must add up to 1")
        if sum(s.rate for s in self.schemes.values()) > 0.5:
            raise ValueError("schemes: violations would be more than half of all shipments")
        return self


def parse_scenario(text: str, source: str) -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{source}: not valid TOML: {error}") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        lines = [
            f"  {'.'.join(map(str, e['loc'])) or '(scenario)'}: "
            f"{str(e['msg']).removeprefix('Value error, ')}"
            for e in error.errors()
        ]
        raise ScenarioError(f"{source}: invalid scenario:\n" + "\n".join(lines)) from None


def load_scenario(path: Path | None = None, shipped: str = "default.toml") -> Scenario:
    """A scenario file, or the shipped one named ``shipped``."""
    if path is None:
        text = resources.files("ecomrisk.simulate").joinpath(f"scenarios/{shipped}").read_text()
        return parse_scenario(text, shipped)
    try:
        return parse_scenario(path.read_text("utf-8"), str(path))
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error}") from None
