"""The comparison and blocking keys of a party record, derived once from its stored
normalised columns. Pure: the batch resolver and the filing-time linker both call
``record_keys``, so they compare exactly the same strings.

Records with equal keys are one *signature*: entity resolution works on distinct
signatures (a seller filing ten thousand identical parties is one row), which is
what keeps it fast.
"""

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ecomrisk.ingest.normalise import address_line, fold

# Legal-form words say little about who a company is and vary between filings
# ("Co., Ltd." / "Company Limited"): dropped from the compared name.
LEGAL_WORDS = frozenset(
    {"co", "company", "ltd", "limited", "llc", "l", "c", "inc", "corp", "corporation", "gmbh"}
)


@dataclass(frozen=True)
class Keys:
    """What entity resolution compares; ``None`` where the record has nothing."""

    name: str | None  # folded name without legal-form words
    name_sorted: str | None  # the same words in alphabetical order (word order varies)
    address: str | None  # address lines, folded, unit markers dropped
    postcode: str | None  # first five characters (ZIP+4 and the like vary)
    city: str | None
    country: str | None
    phone: str | None  # E.164
    email: str | None
    seller: str | None  # marketplace seller id

    @property
    def address_block(self) -> str | None:
        """Address and postcode (or city): a blocking key for records without phone or email."""
        if self.address is None:
            return None
        return f"{self.address}|{self.postcode or self.city or ''}"

    @cached_property
    def signature(self) -> str:
        values: list[str | None] = [self.name, self.name_sorted, self.address, self.postcode]
        values += [self.city, self.country, self.phone, self.email, self.seller]
        text = "\x1f".join(v or "" for v in values)
        return hashlib.sha256(text.encode()).hexdigest()

    def columns(self) -> dict[str, str | None]:
        return {
            "name_key": self.name,
            "name_sorted": self.name_sorted,
            "address_key": self.address,
            "address_block": self.address_block,
            "postcode": self.postcode,
            "city": self.city,
            "country": self.country,
            "phone": self.phone,
            "email": self.email,
            "seller": self.seller,
        }


def _none(text: str | None) -> str | None:
    return text if text else None


def _name(name_norm: str | None) -> tuple[str | None, str | None]:
    words = [w for w in (name_norm or "").split() if w not in LEGAL_WORDS]
    if not words:  # a name made only of legal words: keep it whole
        words = (name_norm or "").split()
    return _none(" ".join(words)), _none(" ".join(sorted(words)))


def _address(line1: str | None, line2: str | None) -> str | None:
    # "unit" markers move between lines ("Apt 4B" folded into line 1): dropped.
    words = [w for line in (line1, line2) if line for w in address_line(line).split()]
    return _none(" ".join(w for w in words if w != "unit"))


def record_keys(row: Any) -> Keys:
    """Keys of one ``parties`` row (anything with its column names as attributes)."""
    name, name_sorted = _name(row.name_norm)
    postcode = "".join(c for c in (row.postal_code or "").upper() if c.isalnum())[:5]
    return Keys(
        name=name,
        name_sorted=name_sorted,
        address=_address(row.address_line1, row.address_line2),
        postcode=_none(postcode),
        city=_none(fold(row.city)) if row.city else None,
        country=_none((row.country or "").upper()),
        phone=_none(row.phone_norm),
        email=_none(row.email_norm),
        seller=_none((row.marketplace_seller_id or "").strip()),
    )


# The parties columns ``record_keys`` reads.
PARTY_KEY_COLUMNS = (
    "name_norm",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "phone_norm",
    "email_norm",
    "marketplace_seller_id",
)


def identifier_nodes(keys: Keys) -> list[str]:
    """The identifier nodes of a party record's keys."""
    out = []
    if keys.address_block:
        out.append(f"address:{keys.address_block}")
    if keys.phone:
        out.append(f"phone:{keys.phone}")
    if keys.email:
        out.append(f"email:{keys.email}")
    if keys.seller:
        out.append(f"seller:{keys.seller}")
    return out
