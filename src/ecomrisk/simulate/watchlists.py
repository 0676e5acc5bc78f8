"""Watch lists consistent with the world: bad actors (with spelling variants) and decoys.

The CSL file follows the Consolidated Screening List CSV layout; the UFLPA
file follows ecomrisk's UFLPA Entity List layout (docs/screening.md). Decoys
are listed names that resemble innocent parties of the world but are other
entities: a screening that flags them is wrong.
"""

import csv
import io
import random

from ecomrisk.risk.screening.lists import CSL_COLUMNS, UFLPA_COLUMNS
from ecomrisk.simulate.parties import Entity, name_variant, places
from ecomrisk.simulate.world import World


def _address(entity: Entity) -> str:
    a = entity.address
    parts = [a.get("line1", ""), a.get("line2", ""), a.get("city", ""), a["country"]]
    return ", ".join(p for p in parts if p)


def _decoy_name(name: str, rng: random.Random) -> str:
    words = name.split()
    firsts = places()["words"]["company_first"]
    replacement = rng.choice([w for w in firsts if w != words[0]])
    return " ".join([replacement, *words[1:]])


def watchlists(world: World, rng: random.Random) -> tuple[str, str, list[dict[str, str]]]:
    """The CSL CSV, the UFLPA CSV and the truth about every entry."""
    truth: list[dict[str, str]] = []
    csl = io.StringIO()
    writer = csv.DictWriter(csl, fieldnames=CSL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    decoys = rng.sample(world.sellers, min(world.scenario.watchlists.decoys, len(world.sellers)))
    number = 0
    for entity in world.bad_actors["csl"]:
        number += 1
        aliases = sorted({*entity.extra_names, name_variant(entity.name, rng, 0.0)} - {entity.name})
        writer.writerow(_csl_row(number, entity.name, aliases, _address(entity)))
        truth.append(
            {"list": "csl", "entry": str(number), "name": entity.name, "entity_id": entity.id}
        )
    for entity in decoys[: len(decoys) // 2]:
        number += 1
        name = _decoy_name(entity.name, rng)
        writer.writerow(_csl_row(number, name, [], _address(entity)))
        truth.append({"list": "csl", "entry": str(number), "name": name, "entity_id": ""})
    uflpa = io.StringIO()
    writer = csv.DictWriter(uflpa, fieldnames=UFLPA_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entity in world.bad_actors["uflpa"]:
        aliases = sorted({*entity.extra_names} - {entity.name})
        writer.writerow(
            _uflpa_row(entity.name, aliases, _address(entity), entity.address["country"])
        )
        truth.append(
            {"list": "uflpa", "entry": entity.name, "name": entity.name, "entity_id": entity.id}
        )
    for entity in decoys[len(decoys) // 2 :]:
        name = _decoy_name(entity.name, rng)
        writer.writerow(_uflpa_row(name, [], _address(entity), entity.address["country"]))
        truth.append({"list": "uflpa", "entry": name, "name": name, "entity_id": ""})
    return csl.getvalue(), uflpa.getvalue(), truth


def _csl_row(number: int, name: str, aliases: list[str], address: str) -> dict[str, str]:
    row = dict.fromkeys(CSL_COLUMNS, "")
    row.update(
        _id=f"syn-{number}",
        source="Entity List (EL) - Bureau of Industry and Security",
        entity_number=f"SYN{number:05d}",
        type="Entity",
        programs="EAR",
        name=name,
        addresses=address,
        alt_names="; ".join(aliases),
        start_date="2025-06-01",
    )
    return row


def _uflpa_row(name: str, aliases: list[str], address: str, country: str) -> dict[str, str]:
    row = dict.fromkeys(UFLPA_COLUMNS, "")
    row.update(
        entity_name=name,
        alternate_names="; ".join(aliases),
        addresses=address,
        country=country,
        date_added="2025-03-01",
        list_section="i",
    )
    return row
