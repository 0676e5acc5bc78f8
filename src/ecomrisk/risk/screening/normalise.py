"""Name and address normalisation for screening. Pure: no I/O, no state.

A name goes through: per-character spacing of CJK ideographs (so each syllable
becomes a token), transliteration to ASCII with anyascii, lower case, "&" read
as "and", punctuation to spaces; then legal-form words (LLC, Co., Ltd, GmbH,
OOO, 有限公司 ...) are taken out of the name and kept aside as canonical codes.
What remains is the *core* of the name, compared in several forms: tokens
sorted (word order), joined without spaces (pinyin spacing), and a phonetic
form that forgives common transliteration differences (Sergei/Sergey,
Ivanov/Iwanow/Ivanoff).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

# Legal forms: canonical code -> spellings, each as normalised tokens. Longer
# spellings are matched first, so "obshchestvo s ogranichennoi ..." wins over "o".
_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "llc": (
        "llc",
        "l l c",
        "limited liability company",
        "ooo",
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "obshchestvo s ogranichennoi otvetstvennostiu",
        "tov",
    ),
    "ltd": ("ltd", "limited", "you xian gong si", "youxian gongsi", "youxiangongsi"),
    "co": ("co", "company", "and co", "kompaniya"),
    "corp": ("corp", "corporation", "inc", "incorporated"),
    "jsc": (
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "oao",
        "zao",
        "pao",
        "ao",
        "joint stock company",
        "gu fen you xian gong si",
        "gufen youxian gongsi",
    ),
    "plc": ("plc", "public limited company"),
    "gmbh": ("gmbh", "mbh"),
    "ag": ("ag",),
    "sa": ("sa", "s a", "sas", "sarl", "s a r l", "sociedad anonima", "societe anonyme"),
    "srl": ("srl", "s r l", "spa", "s p a"),
    "bv": ("bv", "b v", "nv", "n v"),
    "kg": ("kg", "ohg", "gmbh and co kg"),
    "pte": ("pte", "pty", "pvt", "private"),
    "as": ("as", "a s", "aps", "ab", "oy", "asa"),
    "sdn bhd": ("sdn bhd", "bhd", "berhad"),
    "fze": ("fze", "fzco", "fzc", "fz llc"),
    "kk": ("kk", "kabushiki kaisha", "co ltd kk"),
}
_LEGAL_BY_SPELLING: dict[tuple[str, ...], str] = {
    tuple(spelling.split()): code
    for code, spellings in _LEGAL_FORMS.items()
    for spelling in spellings
}
_LONGEST_LEGAL = max(len(spelling) for spelling in _LEGAL_BY_SPELLING)
# Words that carry no identity in a name: dropped like legal forms, but not reported.
_STOPWORDS = frozenset({"the", "of", "and"})

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Sequences rewritten to one spelling so transliteration variants compare equal.
# Order matters: longer sequences first.
_PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("kh", "h"),
    ("ch", "h"),  # German-style Chodorkowski for Khodorkovsky
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("ou", "u"),
    ("tz", "ts"),
    ("x", "ks"),
)
_DOUBLED = re.compile(r"(.)\1+")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
    )


def normalise_text(text: str) -> str:
    """Lower-case ASCII words separated by single spaces. Idempotent."""
    # anyascii joins ideographs' syllables in CamelCase ("HuaWei"): space them
    # so each syllable is a token, as pinyin is usually written on lists.
    spaced = "".join(f" {char} " if _is_cjk(char) else char for char in text)
    ascii_text = anyascii(unicodedata.normalize("NFC", spaced)).lower()
    ascii_text = ascii_text.replace("&", " and ").replace("'", "").replace("`", "")
    return _NOT_ALNUM.sub(" ", ascii_text).strip()


def phonetic(token: str) -> str:
    """A transliteration-forgiving spelling of one normalised token."""
    for old, new in _PHONETIC_RULES:
        token = token.replace(old, new)
    if token.endswith("ff"):
        token = token[:-2] + "v"  # Smirnoff -> Smirnov
    return _DOUBLED.sub(r"\1", token)


def split_legal_forms(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Core tokens and the canonical legal forms found among ``tokens``."""
    core: list[str] = []
    forms: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST_LEGAL, len(tokens) - i), 0, -1):
            code = _LEGAL_BY_SPELLING.get(tokens[i : i + size])
            if code is not None:
                forms.append(code)
                i += size
                break
        else:
            if tokens[i] not in _STOPWORDS:
                core.append(tokens[i])
            i += 1
    if not core:
        # A name made only of legal-form words ("Co Ltd") keeps them: it is all we have.
        return tokens, ()
    return tuple(core), tuple(forms)


@dataclass(frozen=True, slots=True)
class NormalName:
    """One name in the forms the matcher compares."""

    original: str
    tokens: tuple[str, ...]  # core tokens in written order, legal forms removed
    legal_forms: tuple[str, ...]
    sorted_key: str  # core tokens sorted: word order does not count
    compact: str  # core tokens joined: "Hua Wei" == "Huawei"
    phonetic_key: str  # phonetic core tokens, sorted

    @property
    def is_short(self) -> bool:
        """One token or at most 3 letters: too little to match loosely."""
        return len(self.tokens) <= 1 or len(self.compact) <= 3


@lru_cache(maxsize=65_536)
def normalise_name(name: str) -> NormalName:
    """The comparable forms of a party or list name. Never raises on any string."""
    tokens = tuple(normalise_text(name).split())
    core, forms = split_legal_forms(tokens)
    return NormalName(
        original=name,
        tokens=core,
        legal_forms=forms,
        sorted_key=" ".join(sorted(core)),
        compact="".join(core),
        phonetic_key=" ".join(sorted(phonetic(token) for token in core)),
    )


def normalise_address(*parts: str | None) -> str:
    """One comparable string from address lines, city, region, postal code."""
    return normalise_text(" ".join(part for part in parts if part))
