"""Matching a party against a watch list: block, compare, score, explain. Pure.

An algorithm is *named and versioned* (``screen-v1``): a list of weighted
features, each computing a value from the query and one list name and saying
why. The score is the weighted sum of the values, clipped to [0, 1]. A new
behaviour is a new version; old versions stay in ``ALGORITHMS`` so a stored
hit can be reproduced with the algorithm that made it.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.fuzz import ratio, token_set_ratio

from ecomrisk.risk.screening.lists import ListEntry
from ecomrisk.risk.screening.normalise import (
    NormalName,
    normalise_address,
    normalise_name,
    phonetic,
)

# Blocking: a key shared by more names than this says nothing about identity
# ("trading", "international"); it is skipped unless it is the query's only key.
MAX_BLOCK_SIZE = 1_000
MAX_CANDIDATES = 2_000  # hard cap on names compared for one query
TOKEN_AGREEMENT = 0.8  # two tokens agree when this similar (surface or phonetic)
COMPACT_SAME = 0.95  # names equal but for spaces ("Hua Wei" / "Huawei")
ADDRESS_SUPPORT = 0.6  # address similarity below this adds nothing


@dataclass(frozen=True, slots=True)
class Query:
    """What is screened: a name, and when known a country and an address."""

    name: str
    country: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature's part of a score: value times weight, and why."""

    name: str
    weight: float
    value: float
    detail: str

    @property
    def contribution(self) -> float:
        return self.weight * self.value


@dataclass(frozen=True, slots=True)
class Hit:
    entry_index: int  # position of the entry in the index it was found in
    entry: ListEntry
    matched_name: str
    score: float
    algorithm: str
    features: tuple[Feature, ...]

    def explanation(self) -> dict[str, Any]:
        """The hit as JSON: which list name matched and every feature's part."""
        return {
            "algorithm": self.algorithm,
            "score": round(self.score, 4),
            "matched_name": self.matched_name,
            "features": [
                {
                    "feature": f.name,
                    "weight": f.weight,
                    "value": round(f.value, 4),
                    "contribution": round(f.contribution, 4),
                    "detail": f.detail,
                }
                for f in self.features
            ],
        }


@dataclass(frozen=True, slots=True)
class _QueryForms:
    name: NormalName
    phonetic_tokens: tuple[str, ...]
    country: str | None
    address: str


@dataclass(frozen=True, slots=True)
class _EntryForms:
    names: tuple[NormalName, ...]
    phonetic_tokens: tuple[tuple[str, ...], ...]
    countries: frozenset[str]
    addresses: tuple[str, ...]


def _ratio(a: str, b: str) -> float:
    return ratio(a, b) / 100.0


# --- features of screen-v1 -------------------------------------------------------------


def _name_similarity(q: _QueryForms, e: _EntryForms, i: int) -> tuple[float, str]:
    name = e.names[i]
    forms = (
        ("word order ignored", _ratio(q.name.sorted_key, name.sorted_key)),
        ("phonetic", _ratio(q.name.phonetic_key, name.phonetic_key)),
        ("spaces ignored", _ratio(q.name.compact, name.compact)),
    )
    label, best = max(forms, key=lambda form: form[1])
    legal = ""
    if q.name.legal_forms or name.legal_forms:
        legal = f"; legal forms set aside: {list(q.name.legal_forms)} / {list(name.legal_forms)}"
    return best, f"{q.name.sorted_key!r} ~ {name.sorted_key!r} ({label}){legal}"


def _token_mismatch(q: _QueryForms, e: _EntryForms, i: int) -> tuple[float, str]:
    # Decoys share most words and differ in one ("Golden Star" / "Golden Sun"):
    # a similar whole can hide a word with no counterpart, which this counts.
    name = e.names[i]
    if _ratio(q.name.compact, name.compact) >= COMPACT_SAME:
        return 0.0, "same letters, spacing aside"
    a = tuple(zip(q.name.tokens, q.phonetic_tokens, strict=True))
    b = tuple(zip(name.tokens, e.phonetic_tokens[i], strict=True))

    def unmatched(side: Sequence[tuple[str, str]], other: Sequence[tuple[str, str]]) -> list[str]:
        return [
            token
            for token, sound in side
            if not any(
                _ratio(token, t) >= TOKEN_AGREEMENT or _ratio(sound, s) >= TOKEN_AGREEMENT
                for t, s in other
            )
        ]

    lonely = unmatched(a, b) + unmatched(b, a)
    total = len(a) + len(b)
    share = len(lonely) / total if total else 0.0
    return share, f"words without a counterpart: {lonely}" if lonely else "every word agrees"


def _short_name(q: _QueryForms, e: _EntryForms, i: int) -> tuple[float, str]:
    # One word or three letters match too much by chance: only identity passes.
    name = e.names[i]
    if not (q.name.is_short or name.is_short):
        return 0.0, "not short"
    if q.name.compact == name.compact or q.name.phonetic_key == name.phonetic_key:
        return 0.0, "short name, identical"
    if min(len(q.name.compact), len(name.compact)) <= 3:
        return 1.0, "short name (<= 3 letters), not identical"
    distance = 1.0 - _ratio(q.name.compact, name.compact)
    return min(1.0, 2.0 * distance), "one-word name, not identical: distance doubled"


def _country(q: _QueryForms, e: _EntryForms, i: int) -> tuple[float, str]:
    # Supports, never required: lists often lack countries, parties move.
    if q.country is None or not e.countries:
        return 0.0, "country unknown on one side"
    if q.country in e.countries:
        return 1.0, f"{q.country} listed"
    return -1.0, f"{q.country} not in {sorted(e.countries)}"


def _address(q: _QueryForms, e: _EntryForms, i: int) -> tuple[float, str]:
    if not q.address or not e.addresses:
        return 0.0, "address unknown on one side"
    best, listed = max((token_set_ratio(q.address, a) / 100.0, a) for a in e.addresses)
    if best < ADDRESS_SUPPORT:
        return 0.0, f"addresses differ (best {best:.2f})"
    return best, f"{q.address!r} ~ {listed!r}"


FeatureFunction = Callable[[_QueryForms, _EntryForms, int], tuple[float, str]]


@dataclass(frozen=True)
class Algorithm:
    """A named, versioned list of weighted features and the score that makes a hit."""

    name: str
    features: tuple[tuple[str, float, FeatureFunction], ...]
    threshold: float

    def score(
        self, q: _QueryForms, e: _EntryForms, i: int, floor: float = 0.0
    ) -> tuple[float, tuple[Feature, ...]]:
        """Score and features; stops early once the score cannot reach ``floor``."""
        features = []
        total = 0.0
        for position, (feature_name, weight, function) in enumerate(self.features):
            # Values are at most 1, so the rest can add at most their positive weights.
            headroom = sum(max(0.0, w) for _, w, _ in self.features[position:])
            if total + headroom < floor:
                break
            value, detail = function(q, e, i)
            features.append(Feature(feature_name, weight, value, detail))
            total += weight * value
        return min(1.0, max(0.0, total)), tuple(features)


SCREEN_V1 = Algorithm(
    name="screen-v1",
    features=(
        ("name_similarity", 1.0, _name_similarity),
        ("token_mismatch", -0.5, _token_mismatch),
        ("short_name", -0.5, _short_name),
        ("country", 0.05, _country),
        ("address", 0.05, _address),
    ),
    threshold=0.85,
)
ALGORITHMS = {SCREEN_V1.name: SCREEN_V1}
DEFAULT_ALGORITHM = SCREEN_V1.name


def _block_keys(name: NormalName) -> set[str]:
    keys = {f"t:{token}" for token in name.tokens if len(token) > 1 or token.isdigit()}
    keys |= {f"p:{phonetic(token)}" for token in name.tokens if len(token) > 2}
    keys.add(f"c:{name.compact[:5]}")  # catches "Hua Wei" / "Huawei"
    return keys


@lru_cache(maxsize=4_096)  # one query is screened against every current list
def _query_forms(query: Query) -> _QueryForms:
    name = normalise_name(query.name)
    return _QueryForms(
        name=name,
        phonetic_tokens=tuple(phonetic(token) for token in name.tokens),
        country=query.country.upper() if query.country else None,
        address=normalise_address(query.address),
    )


# Screening results kept per index (one list version): parties repeat (the same
# consignees, shippers and sellers file again and again), and a hit depends only on
# the query, the algorithm and the list version, so a repeat is answered from here.
SCREEN_CACHE_ENTRIES = 50_000


class ListIndex:
    """Entries of one list version, normalised and blocked once, screened many times."""

    def __init__(self, entries: Sequence[ListEntry]) -> None:
        self.entries = tuple(entries)
        self._screened: dict[tuple[Query, str, float | None], tuple[Hit, ...]] = {}
        self._forms: list[_EntryForms] = []
        blocks: defaultdict[str, set[int]] = defaultdict(set)
        for index, entry in enumerate(self.entries):
            names = tuple(dict.fromkeys(normalise_name(n) for n in entry.names if n.strip()))
            self._forms.append(
                _EntryForms(
                    names=names,
                    phonetic_tokens=tuple(tuple(phonetic(t) for t in n.tokens) for n in names),
                    countries=frozenset(entry.countries),
                    addresses=tuple(normalise_address(a) for a in entry.addresses),
                )
            )
            for name in names:
                for key in _block_keys(name):
                    blocks[key].add(index)
        self._blocks = dict(blocks)

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, name: NormalName) -> set[int]:
        """Entries sharing a telling token, phonetic token or name prefix with ``name``."""
        buckets = sorted(
            (self._blocks[key] for key in _block_keys(name) if key in self._blocks), key=len
        )
        found: set[int] = set()
        for bucket in buckets:
            if found and len(bucket) > MAX_BLOCK_SIZE:
                break
            found |= bucket
            if len(found) >= MAX_CANDIDATES:
                break
        return found

    def screen(
        self, query: Query, algorithm: str = DEFAULT_ALGORITHM, threshold: float | None = None
    ) -> list[Hit]:
        """Hits for ``query`` at or above the threshold, best first, one per entry."""
        key = (query, algorithm, threshold)
        hits = self._screened.get(key)
        if hits is None:
            hits = tuple(self._screen(query, algorithm, threshold))
            if len(self._screened) >= SCREEN_CACHE_ENTRIES:
                self._screened.clear()  # crude but bounded; hot parties come back at once
            self._screened[key] = hits
        return list(hits)

    def _screen(self, query: Query, algorithm: str, threshold: float | None) -> list[Hit]:
        logic = ALGORITHMS[algorithm]
        cutoff = logic.threshold if threshold is None else threshold
        q = _query_forms(query)
        if not q.name.tokens:
            return []
        hits = []
        for index in self.candidates(q.name):
            forms = self._forms[index]
            best: tuple[float, tuple[Feature, ...], int] | None = None
            for i in range(len(forms.names)):
                score, features = logic.score(q, forms, i, floor=cutoff)
                if best is None or score > best[0]:
                    best = (score, features, i)
            if best is not None and best[0] >= cutoff:
                hits.append(
                    Hit(
                        entry_index=index,
                        entry=self.entries[index],
                        matched_name=forms.names[best[2]].original,
                        score=best[0],
                        algorithm=logic.name,
                        features=best[1],
                    )
                )
        return sorted(hits, key=lambda hit: (-hit.score, hit.entry_index))
