"""Run a rule set on one filing's features. Pure."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ecomrisk.domain.enums import Lane
from ecomrisk.risk.rules.model import (
    All,
    AnyOf,
    Condition,
    Expression,
    Not,
    Param,
    Rule,
    RuleSet,
    conditions,
)


@dataclass(frozen=True)
class RuleHit:
    rule: Rule
    values: dict[str, Any]  # the feature values the rule looked at

    @property
    def text(self) -> str:
        shown = ", ".join(f"{k} = {_show(v)}" for k, v in self.values.items())
        return f"{self.rule.description} ({shown})"


def _show(value: Any) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _resolve(operand: Any, params: Mapping[str, Any]) -> Any:
    return params[operand.param] if isinstance(operand, Param) else operand


def _holds(condition: Condition, features: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    value = features.get(condition.feature)
    op = condition.operator
    if op == "is_null":
        return value is None
    if op == "not_null":
        return value is not None
    if value is None:
        return False  # as in SQL: a missing value satisfies no comparison
    operand = _resolve(condition.operand(op), params)
    match op:
        case "eq":
            return bool(value == operand)
        case "ne":
            return bool(value != operand)
        case "gt":
            return bool(value > operand)
        case "gte":
            return bool(value >= operand)
        case "lt":
            return bool(value < operand)
        case "lte":
            return bool(value <= operand)
        case "in":
            return value in operand
        case _:  # not_in
            return value not in operand


def holds(expression: Expression, features: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    if isinstance(expression, Condition):
        return _holds(expression, features, params)
    if isinstance(expression, All):
        return all(holds(e, features, params) for e in expression.all)
    if isinstance(expression, AnyOf):
        return any(holds(e, features, params) for e in expression.any)
    assert isinstance(expression, Not)
    return not holds(expression.not_, features, params)


def hit_of(rule: Rule, features: Mapping[str, Any]) -> RuleHit:
    """``rule``'s hit on ``features``, with the values it looked at (known to hold)."""
    return RuleHit(rule, {c.feature: features.get(c.feature) for c in conditions(rule.when)})


def evaluate(ruleset: RuleSet, features: Mapping[str, Any], day: date) -> list[RuleHit]:
    """The rules in force on ``day`` that hit, each with the values it looked at."""
    return [
        hit_of(rule, features)
        for rule in ruleset.rules
        if rule.in_force(day) and holds(rule.when, features, ruleset.params)
    ]


def combined_probability(hits: list[RuleHit]) -> float:
    """Noisy-or of the hit weights: each hit an independent chance of a violation."""
    miss = 1.0
    for hit in hits:
        miss *= 1.0 - hit.rule.weight
    return 1.0 - miss


def strictest_lane(hits: list[RuleHit]) -> Lane:
    return max((hit.rule.lane for hit in hits), key=lambda lane: lane.rank, default=Lane.RELEASE)
