"""Normalised forms of party names, addresses, phones and emails.

Stored beside the raw text so screening and entity resolution compare like with
like, while officers still see what the filer sent. Pure functions; each result
is cut to its column's length so a long input can never fail a write.
"""

import re
import string
import unicodedata
from functools import lru_cache

import phonenumbers

NAME_NORM_MAX = 200
ADDRESS_NORM_MAX = 600
PHONE_NORM_MAX = 20
EMAIL_NORM_MAX = 254

_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
_UNIT_MARKER = re.compile(r"#\s*(\w+)")

# Common street-address abbreviations (USPS Publication 28 and UK usage), expanded
# so "12 Main St." and "12 main street" normalise to the same text.
_ABBREVIATIONS = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "hwy": "highway",
    "pkwy": "parkway",
    "cir": "circle",
    "ter": "terrace",
    "bldg": "building",
    "fl": "floor",
    "flr": "floor",
    "rm": "room",
    "po": "po",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
    "no": "number",
}
# Words that introduce a unit number; all become "unit" so "Apt 4B", "Suite 4b"
# and "#4B" compare equal.
_UNIT_WORDS = frozenset({"apt", "apartment", "ste", "suite", "unit", "flat", "rm", "room"})


def fold(text: str) -> str:
    """Case, diacritics, punctuation and whitespace folded away."""
    # Most names and addresses are ASCII: nothing to decompose, and the loop over
    # characters below was a sixteenth of a bulk file's time.
    if text.isascii():
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCTUATION.sub(" ", stripped.casefold()).split())


def name(raw: str) -> str:
    return fold(raw)[:NAME_NORM_MAX]


def address_line(raw: str) -> str:
    """One address line with unit numbers marked and abbreviations expanded."""
    text = _UNIT_MARKER.sub(r" unit \1 ", raw)
    words = fold(text).split()
    out: list[str] = []
    for word in words:
        if word in _UNIT_WORDS:
            if not out or out[-1] != "unit":  # "Apt #4B": one marker, not two
                out.append("unit")
        else:
            out.append(_ABBREVIATIONS.get(word, word))
    return " ".join(out)


def address(
    line1: str | None,
    line2: str | None,
    city: str | None,
    region: str | None,
    postal_code: str | None,
    country: str,
) -> str:
    """A whole address as one comparable string: lines, city, region, postcode, country."""
    parts = [
        address_line(line1) if line1 else "",
        address_line(line2) if line2 else "",
        fold(city) if city else "",
        fold(region) if region else "",
        "".join(
            c for c in (postal_code or "").upper() if c in string.ascii_uppercase + "0123456789"
        ),
        country.upper(),
    ]
    return " | ".join(p for p in parts if p)[:ADDRESS_NORM_MAX]


@lru_cache(maxsize=65_536)  # parsing is slow (~0.2 ms) and consignees' phones repeat
def phone(raw: str, region: str | None) -> str | None:
    """E.164 form, reading a national number in the address country's plan; None if
    the text cannot be a phone number there."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted if len(formatted) <= PHONE_NORM_MAX else None


# Providers that ignore dots and "+tags" in the local part: these spell one mailbox.
_DOT_BLIND_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def email(raw: str) -> str | None:
    text = raw.strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return None
    if domain in _DOT_BLIND_DOMAINS:
        domain = _DOT_BLIND_DOMAINS[domain]
        local = local.split("+", 1)[0].replace(".", "")
        if not local:
            return None
    return f"{local}@{domain}"[:EMAIL_NORM_MAX]
