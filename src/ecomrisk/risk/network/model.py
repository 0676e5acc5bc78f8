"""The entity-resolution model: comparisons and blocking rules defined once, as SQL
for Splink (batch) and as Python for the filing-time linker, and the Fellegi-Sunter
weights of a trained model.

A comparison is a list of levels tried in order; the first that holds is the
pair's level for that field. Each level has an m probability (of holding for a
true match) and a u probability (for a non-match), estimated by Splink from the
data; its Bayes factor m/u, as log2, is its match weight. A pair's match weight
is the prior log-odds plus the weights of its levels: the same sum Splink's
``predict`` computes (no term-frequency adjustments, so both sides agree exactly).
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import JaroWinkler

from ecomrisk.risk.network.engines import SplinkBackend

Record = Mapping[str, Any]
Test = Callable[[Record, Record], bool]

ALGORITHM = "er-v1"  # named and versioned: a change of levels is a new algorithm


@dataclass(frozen=True)
class Level:
    label: str
    sql: Callable[[SplinkBackend], str]
    test: Test
    is_null: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    def level_of(self, left: Record, right: Record) -> int:
        for i, level in enumerate(self.levels):
            if level.test(left, right):
                return i
        raise AssertionError("the last level of a comparison always holds")  # pragma: no cover


def _null(column: str) -> Level:
    return Level(
        f"{column} missing",
        lambda b: f"{b.quote(column + '_l')} IS NULL OR {b.quote(column + '_r')} IS NULL",
        lambda a, b: a[column] is None or b[column] is None,
        is_null=True,
    )


def _exact(column: str, label: str | None = None) -> Level:
    return Level(
        label or f"{column} equal",
        lambda b: f"{b.quote(column + '_l')} = {b.quote(column + '_r')}",
        lambda a, b: a[column] == b[column],
    )


def _similar(column: str, at_least: float) -> Level:
    return Level(
        f"{column} similar (Jaro-Winkler >= {at_least})",
        lambda b: (
            f"{b.jaro_winkler}({b.quote(column + '_l')}, {b.quote(column + '_r')}) >= {at_least}"
        ),
        lambda a, b: JaroWinkler.similarity(a[column], b[column]) >= at_least,
    )


def _else(column: str) -> Level:
    return Level(f"{column} different", lambda b: "ELSE", lambda a, b: True)


def _exact_or_not(column: str) -> Comparison:
    return Comparison(column, (_null(column), _exact(column), _else(column)))


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "name",
        (
            _null("name_key"),
            _exact("name_key", "name equal"),
            _similar("name_key", 0.92),
            _exact("name_sorted", "name equal in another word order"),
            _similar("name_key", 0.80),
            _else("name"),
        ),
    ),
    Comparison(
        "address",
        (
            _null("address_key"),
            _exact("address_key", "address equal"),
            _similar("address_key", 0.90),
            _else("address"),
        ),
    ),
    _exact_or_not("postcode"),
    _exact_or_not("city"),
    _exact_or_not("phone"),
    _exact_or_not("email"),
    _exact_or_not("seller"),
)
COLUMNS = (
    "name_key",
    "name_sorted",
    "address_key",
    "address_block",
    "postcode",
    "city",
    "country",
    "phone",
    "email",
    "seller",
)

# Pairs are only scored when they share one of these keys (and are not already one
# deterministic group). The filing-time linker looks the same keys up in the store.
BLOCKS: tuple[tuple[str, ...], ...] = (
    ("phone",),
    ("email",),
    ("seller",),
    ("name_key", "country"),
    ("address_block",),
)


def equal_sql(block: tuple[str, ...], backend: SplinkBackend) -> str:
    """Both records of a pair have the same values in ``block``'s columns."""
    return " AND ".join(f"l.{backend.quote(c)} = r.{backend.quote(c)}" for c in block)


def blocking_sql(block: tuple[str, ...], backend: SplinkBackend) -> str:
    return f"{equal_sql(block, backend)} AND l.dgroup <> r.dgroup"


def splink_settings(backend: SplinkBackend) -> dict[str, Any]:
    """The Splink settings of the model, before training."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-5,
        "blocking_rules_to_generate_predictions": [blocking_sql(b, backend) for b in BLOCKS],
        "comparisons": [
            {
                "output_column_name": c.name,
                "comparison_levels": [
                    {
                        "sql_condition": level.sql(backend),
                        "label_for_charts": level.label,
                        **({"is_null_level": True} if level.is_null else {}),
                    }
                    for level in c.levels
                ],
            }
            for c in COMPARISONS
        ],
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": False,
    }


def on_backend(model: Mapping[str, Any], backend: SplinkBackend) -> dict[str, Any]:
    """A trained model's numbers in the settings written for ``backend``: a model
    estimated on one engine predicts on another (conditions are each engine's SQL)."""
    settings = splink_settings(backend)
    settings["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    trained = {c["output_column_name"]: c["comparison_levels"] for c in model["comparisons"]}
    for comparison in settings["comparisons"]:
        levels = trained[comparison["output_column_name"]]
        if len(levels) != len(comparison["comparison_levels"]):
            raise ValueError(
                f"stored model's comparison {comparison['output_column_name']!r} has "
                f"{len(levels)} levels, {ALGORITHM} has {len(comparison['comparison_levels'])}: "
                "re-run `ecomrisk network resolve`"
            )
        for level, learnt in zip(comparison["comparison_levels"], levels, strict=True):
            for number in ("m_probability", "u_probability"):
                if number in learnt:
                    level[number] = learnt[number]
    return settings


@dataclass(frozen=True)
class FieldWeight:
    comparison: str
    level: str
    weight: float  # log2 Bayes factor; 0 for a missing value


@dataclass(frozen=True)
class Score:
    match_weight: float
    fields: tuple[FieldWeight, ...]

    @property
    def match_probability(self) -> float:
        return 1.0 / (1.0 + 2.0 ** (-self.match_weight))

    def explained(self) -> list[dict[str, Any]]:
        return [
            {"field": f.comparison, "level": f.level, "weight": round(f.weight, 3)}
            for f in self.fields
        ]


def _log2_bf(level: Mapping[str, Any]) -> float:
    if level.get("is_null_level"):
        return 0.0
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u:  # a level the data never showed: no evidence either way
        return 0.0
    return math.log2(m / u)


@dataclass(frozen=True)
class Weights:
    """A trained model as the weights the Python scorer needs."""

    prior: float  # log2 odds that two random records match
    levels: tuple[tuple[float, ...], ...]  # per comparison, per level

    @classmethod
    def from_splink(cls, model: Mapping[str, Any]) -> "Weights":
        lam = float(model["probability_two_random_records_match"])
        by_name = {c["output_column_name"]: c for c in model["comparisons"]}
        levels = []
        for comparison in COMPARISONS:
            trained = by_name[comparison.name]["comparison_levels"]
            if len(trained) != len(comparison.levels):
                raise ValueError(
                    f"stored model's comparison {comparison.name!r} has {len(trained)} levels, "
                    f"{ALGORITHM} has {len(comparison.levels)}: re-run `ecomrisk network resolve`"
                )
            levels.append(tuple(_log2_bf(level) for level in trained))
        return cls(math.log2(lam / (1 - lam)), tuple(levels))

    def score(self, left: Record, right: Record) -> Score:
        fields = []
        total = self.prior
        for comparison, weights in zip(COMPARISONS, self.levels, strict=True):
            i = comparison.level_of(left, right)
            fields.append(FieldWeight(comparison.name, comparison.levels[i].label, weights[i]))
            total += weights[i]
        return Score(total, tuple(fields))


def weight_threshold(probability: float) -> float:
    """The match weight at which a pair reaches ``probability``."""
    return math.log2(probability / (1 - probability))
