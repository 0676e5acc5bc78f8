"""Compile a rule set to SQL, for backtests and shadow runs over history in batch.

Each leaf condition is made two-valued (a missing value is false, as in
``evaluate``), so NOT and ANY behave the same in SQL as in Python.
"""

from typing import Any

from ecomrisk.risk.rules.model import All, AnyOf, Condition, Expression, Not, Param, RuleSet

_SQL_OPERATORS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _condition_sql(condition: Condition, params: dict[str, Any]) -> str:
    column = _identifier(condition.feature)
    op = condition.operator
    if op == "is_null":
        return f"({column} IS NULL)"
    if op == "not_null":
        return f"({column} IS NOT NULL)"
    operand = condition.operand(op)
    if isinstance(operand, Param):
        operand = params[operand.param]
    if op in ("in", "not_in"):
        values = ", ".join(_literal(v) for v in operand)
        test = f"{column} {'IN' if op == 'in' else 'NOT IN'} ({values})"
    else:
        test = f"{column} {_SQL_OPERATORS[op]} {_literal(operand)}"
    return f"COALESCE(({test}), FALSE)"


def expression_sql(expression: Expression, params: dict[str, Any]) -> str:
    if isinstance(expression, Condition):
        return _condition_sql(expression, params)
    if isinstance(expression, Not):
        return f"(NOT {expression_sql(expression.not_, params)})"
    children = expression.all if isinstance(expression, All) else expression.any
    joiner = " AND " if isinstance(expression, All) else " OR "
    assert isinstance(expression, All | AnyOf)
    return "(" + joiner.join(expression_sql(c, params) for c in children) + ")"


def hit_column(rule_id: str) -> str:
    return f"hit:{rule_id}"


def rule_hits_sql(ruleset: RuleSet, source: str, day_column: str | None = None) -> str:
    """``sid`` and one boolean column per rule (named ``hit:<rule id>``) for each row of
    ``source``. With ``day_column`` (a DATE column), a rule only hits while in force."""
    columns = []
    for rule in ruleset.rules:
        test = expression_sql(rule.when, dict(ruleset.params))
        if not rule.enabled:
            test = "FALSE"
        elif day_column is not None:
            day = _identifier(day_column)
            if rule.valid_from is not None:
                test += f" AND {day} >= DATE '{rule.valid_from.isoformat()}'"
            if rule.valid_to is not None:
                test += f" AND {day} <= DATE '{rule.valid_to.isoformat()}'"
        columns.append(f"({test}) AS {_identifier(hit_column(rule.id))}")
    return f"SELECT sid, {', '.join(columns)} FROM {source}"
