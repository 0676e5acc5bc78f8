"""Synthetic parties and the variation real records have.

An entity (a seller, a consignee...) has one canonical form; each time it
appears on a filing its record may differ the way keyed data does: case,
legal forms, abbreviations, unit numbers, word order, typos, phone formats.
The ground truth keeps the entity id of every record.
"""

import random
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

ABBREVIATIONS = {
    "Street": "St",
    "Avenue": "Ave",
    "Road": "Rd",
    "Boulevard": "Blvd",
    "Drive": "Dr",
    "Lane": "Ln",
    "Apartment": "Apt",
    "Building": "Bldg",
    "Industrial": "Ind.",
}
LEGAL_FORM_VARIANTS = {
    "Co., Ltd.": ["Co Ltd", "CO., LTD", "Company Limited", "Co.,Ltd"],
    "Company Limited": ["Co., Ltd.", "Co Ltd", "Limited"],
    "Co. Ltd": ["Co., Ltd.", "Company Ltd"],
    "Limited": ["Ltd", "Ltd."],
    "Trading Co.": ["Trading Company", "Trading Co"],
    "LLC": ["L.L.C.", "Llc"],
    "Ltd": ["Limited", "LTD"],
}
# Pinyin and Wade-Giles or Cantonese spellings of the same syllables.
US_AREA_CODES = ["212", "310", "312", "415", "617", "646", "713", "206", "305", "404"]
WEBMAIL = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com"]
UNIT_WORDS = ["Apt.", "Unit", "#"]
TRANSLITERATIONS = {"Xu": "Hsu", "Zhang": "Chang", "Chen": "Chan", "Wei": "Way", "Li": "Lee"}


@cache
def places() -> dict[str, Any]:
    text = resources.files("ecomrisk.simulate").joinpath("data/places.toml").read_text()
    return tomllib.loads(text)


@dataclass
class Entity:
    """One real-world party; ``record`` renders it as on one filing."""

    id: str
    name: str
    address: dict[str, str]
    phone: str | None
    email: str | None
    marketplace_seller_id: str | None = None
    extra_names: list[str] = field(default_factory=list)  # names it also trades under
    # The canonical record, built on first use (``cached_property`` takes a lock: slower).
    _canonical: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def canonical(self) -> dict[str, Any]:
        """The record as the entity itself writes it; shared, so never change it in place."""
        if self._canonical is None:
            self._canonical = self._record()
        return self._canonical

    def _record(self) -> dict[str, Any]:
        party: dict[str, Any] = {"name": self.name, "address": self.address}
        if self.phone:
            party["phone"] = self.phone
        if self.email:
            party["email"] = self.email
        if self.marketplace_seller_id:
            party["marketplace_seller_id"] = self.marketplace_seller_id
        return party


def pick(options: Sequence[T], rng: random.Random) -> T:
    """``rng.choice`` with one draw of ``random()``: several times cheaper, same odds."""
    return options[int(rng.random() * len(options))]


def below(n: int, rng: random.Random) -> int:
    """``rng.randrange(n)`` the cheap way (see ``pick``)."""
    return int(rng.random() * n)


def typo(text: str, rng: random.Random) -> str:
    """One keying error: a dropped, doubled or swapped letter."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = letters[1 + below(len(letters) - 2, rng)]
    kind = below(3, rng)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def name_variant(name: str, rng: random.Random, typo_rate: float) -> str:
    for form, variants in LEGAL_FORM_VARIANTS.items():
        if name.endswith(form):
            name = name[: -len(form)] + pick(variants, rng)
            break
    words = name.split()
    for i, word in enumerate(words):
        if word in TRANSLITERATIONS and rng.random() < 0.5:
            words[i] = TRANSLITERATIONS[word]
    if len(words) == 2 and rng.random() < 0.3:  # family name first
        words.reverse()
    name = " ".join(words)
    choice = rng.random()
    if choice < 0.3:
        name = name.upper()
    elif choice < 0.45:
        name = name.lower()
    if rng.random() < typo_rate * 3:
        name = typo(name, rng)
    return name


def address_variant(
    address: dict[str, str], rng: random.Random, typo_rate: float
) -> dict[str, str]:
    out = dict(address)
    line = out.get("line1", "")
    for full, short in ABBREVIATIONS.items():
        if full in line and rng.random() < 0.5:  # no draw for words the line lacks
            line = line.replace(full, short)
    if "line2" in out and rng.random() < 0.5:  # unit number folded into the first line
        line = f"{line} {out.pop('line2')}"
    elif "line2" in out:
        out["line2"] = out["line2"].replace("Apt", pick(UNIT_WORDS, rng))
    if rng.random() < typo_rate * 3:
        line = typo(line, rng)
    if rng.random() < 0.2:
        line = line.upper()
    out["line1"] = line
    if "postal_code" in out and len(out["postal_code"]) == 5 and rng.random() < 0.2:
        out["postal_code"] += f"-{below(10000, rng):04d}"  # ZIP+4
    return out


def phone_variant(phone: str, rng: random.Random) -> str:
    """The same number written another way (the normaliser must see through it)."""
    prefix, _, rest = phone.partition(" ")
    digits = rest.replace(" ", "")
    style = below(3, rng)
    if style == 0:
        return f"{prefix}{digits}"
    if style == 1 and prefix == "+1" and len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return f"{prefix}-{digits[:3]}-{digits[3:]}"


def record(
    entity: Entity, rng: random.Random, variation: Any, name: str | None = None
) -> dict[str, Any]:
    """The entity as written on one filing (a new top-level dict; ``address`` may be shared)."""
    party = dict(entity.canonical())
    if name is not None:
        party["name"] = name
    if rng.random() < variation.name:
        party["name"] = name_variant(party["name"], rng, variation.typo)
    if rng.random() < variation.address:
        party["address"] = address_variant(party["address"], rng, variation.typo)
    if "phone" in party and rng.random() < variation.phone:
        party["phone"] = phone_variant(party["phone"], rng)
    if "email" in party and rng.random() < 0.1:
        party["email"] = party["email"].upper()
    return party


def _phone(country: str, rng: random.Random) -> str:
    prefix = places()["phone_prefix"][country]
    if prefix == "+1":
        return f"+1 {rng.choice(US_AREA_CODES)}{rng.randrange(2000000, 9999999)}"
    if prefix == "+86":
        return f"+86 1{rng.choice('3578')}{rng.randrange(100000000, 999999999)}"
    return f"{prefix} {rng.randrange(200000000, 999999999)}"


def company(
    entity_id: str, country: str, rng: random.Random, seller_id: str | None = None
) -> Entity:
    words = places()["words"]
    base = f"{rng.choice(words['company_first'])} {rng.choice(words['company_first'])}"
    name = f"{base} {rng.choice(words['company_second'])} {rng.choice(words['legal_form'])}"
    city = rng.choice(places()["export_cities"][country])
    address = {
        "line1": f"No. {rng.randrange(1, 999)} {rng.choice(words['export_street'])}",
        "city": city,
        "country": country,
    }
    if rng.random() < 0.5:
        address["line2"] = f"Building {rng.randrange(1, 30)}, Room {rng.randrange(100, 2000)}"
    slug = "".join(c for c in base.lower() if c.isalpha())[:12]
    email = f"sales@{slug}{rng.randrange(100)}.com"
    return Entity(entity_id, name, address, _phone(country, rng), email, seller_id)


@dataclass(eq=False)
class People:
    """Every possible consignee, drawn column-wise at once: row ``i`` is person ``i``.

    Drawing the columns with NumPy up front (rather than one ``random`` call per
    field per person) keeps a million-shipment world fast, and lets any process
    build person ``i`` on its own: the entity depends on the row alone.
    """

    COLUMNS = (
        "given",
        "family",
        "city",
        "house",
        "street",
        "street_kind",
        "zip_suffix",
        "apartment",  # 0: no second address line
        "apartment_letter",
        "mailbox",
        "webmail",
        "area_code",
        "line",
    )
    rows: np.ndarray  # (count, len(COLUMNS)) integers

    @property
    def count(self) -> int:
        return len(self.rows)

    def entity(self, i: int) -> Entity:
        # One row to a list at once: reading NumPy scalars one by one is slower.
        (
            given_at,
            family_at,
            city_at,
            house,
            street_at,
            street_kind_at,
            zip_suffix,
            apartment,
            apartment_letter,
            mailbox,
            webmail,
            area_code,
            line,
        ) = self.rows[i].tolist()
        words = places()["words"]
        city = places()["us_cities"][city_at]
        given, family = words["given"][given_at], words["family"][family_at]
        street = f"{house} {words['street'][street_at]} {words['street_kind'][street_kind_at]}"
        address = {
            "line1": street,
            "city": city["city"],
            "region": city["region"],
            "postal_code": f"{city['zip']}{zip_suffix}",
            "country": "US",
        }
        if apartment:
            address["line2"] = f"Apt {apartment}{'ABCD'[apartment_letter]}"
        email = f"{given.lower()}.{family.lower()}{mailbox}@{WEBMAIL[webmail]}"
        phone = f"+1 {US_AREA_CODES[area_code]}{line}"
        return Entity(f"consignee-{i}", f"{given} {family}", address, phone, email)


def people(count: int, rng: np.random.Generator) -> People:
    """``count`` US consignees (30 % with an apartment number)."""
    words = places()["words"]

    def pick(options: int) -> np.ndarray:
        return rng.integers(0, options, size=count)

    columns = {
        "given": pick(len(words["given"])),
        "family": pick(len(words["family"])),
        "city": pick(len(places()["us_cities"])),
        "house": rng.integers(1, 9999, size=count),
        "street": pick(len(words["street"])),
        "street_kind": pick(len(words["street_kind"])),
        "zip_suffix": rng.integers(10, 99, size=count),
        "apartment": np.where(rng.random(count) < 0.3, rng.integers(1, 40, size=count), 0),
        "apartment_letter": pick(4),
        "mailbox": pick(1000),
        "webmail": pick(len(WEBMAIL)),
        "area_code": pick(len(US_AREA_CODES)),
        "line": rng.integers(2000000, 9999999, size=count),
    }
    return People(np.column_stack([columns[name] for name in People.COLUMNS]).astype(np.int32))
