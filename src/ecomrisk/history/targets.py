"""What a mapping may fill: the fields of the domain records, by dotted path. Pure.

The catalogue is read from the pydantic records themselves (``ShipmentFiling``,
``LineItem``, ``Outcome``, ``Finding``), so a field added to a record can be
mapped at once and a mapping can never name a field the records do not have.
"""

import types
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel

from ecomrisk.domain.records import Finding, LineItem, Outcome, ShipmentFiling

Kind = Literal["text", "number", "datetime"]

# Fields of the import itself, beside the record fields of each section.
SHIPMENT_EXTRAS: dict[str, Kind] = {"received_at": "datetime"}
OUTCOME_EXTRAS: dict[str, Kind] = {"recorded_at": "datetime"}
LIST_FIELDS = {"items", "findings"}  # filled by their own sections


def _types(annotation: Any) -> list[Any]:
    """The plain types inside Optional / Union / Annotated."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _types(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _types(arg)]
    return [annotation]


def _kind(plain: list[Any]) -> Kind | None:
    for t in plain:
        if t is AwareDatetime or (isinstance(t, type) and issubclass(t, datetime)):
            return "datetime"
        if isinstance(t, type) and issubclass(t, Decimal | float | int) and t is not bool:
            return "number"
    return None


Leaf = tuple[Kind, bool, bool]  # kind, required within its parent, required always


def _leaves(model: type[BaseModel], prefix: str = "", chain: bool = True) -> dict[str, Leaf]:
    """path -> leaf of every scalar field; ``chain``: every ancestor is required."""
    found: dict[str, Leaf] = {}
    for name, info in model.model_fields.items():
        if not prefix and name in LIST_FIELDS:
            continue
        plain = [t for t in _types(info.annotation) if t is not type(None)]
        nested = [t for t in plain if isinstance(t, type) and issubclass(t, BaseModel)]
        if nested:
            found |= _leaves(nested[0], f"{prefix}{name}.", chain and info.is_required())
            continue
        if any(get_origin(t) is list for t in plain):
            continue  # lists of scalars (licence numbers) are not mapped from columns
        required = info.is_required()
        found[f"{prefix}{name}"] = (_kind(plain) or "text", required, chain and required)
    return found


@cache
def catalogue(section: str) -> dict[str, Leaf]:
    """Every mappable target of ``section`` (shipment, items, outcome, findings)."""
    if section == "shipment":
        extras = {k: (v, True, True) for k, v in SHIPMENT_EXTRAS.items()}
        return _leaves(ShipmentFiling) | extras
    if section == "items":
        return _leaves(LineItem)
    if section == "outcome":
        return _leaves(Outcome) | {k: (v, False, False) for k, v in OUTCOME_EXTRAS.items()}
    if section == "findings":
        return _leaves(Finding)
    raise KeyError(section)


def missing_required(section: str, mapped: set[str]) -> list[str]:
    """Required targets not mapped: top-level ones always, nested ones when their
    parent (e.g. ``seller``) is mapped at all."""
    missing = []
    for path, (_, required, always) in catalogue(section).items():
        if not required or path in mapped:
            continue
        parent = path.rpartition(".")[0]
        if always or any(m.startswith(parent + ".") for m in mapped):
            missing.append(path)
    return missing
