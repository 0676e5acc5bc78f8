"""Read a rule set from YAML; every error names the file, line, field and problem."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ecomrisk.risk.rules.model import Param, RuleSet, conditions

_TAGS = {
    "condition",
    "all_of",
    "any_of",
    "not_of",
}  # discriminator tags pydantic puts in error paths


class RuleFileError(ValueError):
    """A rule file that cannot be used."""


def _line_of(root: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error path (best effort)."""
    node = root
    line = None if node is None else node.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            key = "in" if part == "in_" else "not" if part == "not_" else part
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                if part in _TAGS:
                    continue
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            continue
        line = node.start_mark.line + 1
    return line


def _field(path: tuple[Any, ...]) -> str:
    parts = [str(p).rstrip("_") for p in path if p not in _TAGS]
    return ".".join(parts) or "(rule set)"


def parse_ruleset(text: str, source: str, known_features: set[str] | None = None) -> RuleSet:
    """Parse and validate a rule set; with ``known_features``, refuse unknown features."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise RuleFileError(f"{source}{where}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise RuleFileError(f"{source}: a rule set is a mapping with name, version and rules")
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as error:
        problems = []
        for e in error.errors():
            line = _line_of(root, e["loc"])
            message = str(e["msg"]).removeprefix("Value error, ")
            problems.append(f"{source}, line {line}, field {_field(e['loc'])}: {message}")
        raise RuleFileError("\n".join(problems)) from None
    _check_references(ruleset, root, source, known_features)
    return ruleset


def _check_references(
    ruleset: RuleSet, root: yaml.Node | None, source: str, known_features: set[str] | None
) -> None:
    problems = []
    seen: set[str] = set()
    for index, rule in enumerate(ruleset.rules):
        line = _line_of(root, ("rules", index))
        if rule.id in seen:
            problems.append(
                f"{source}, line {line}, field rules.{index}.id: duplicate id {rule.id!r}"
            )
        seen.add(rule.id)
        for condition in conditions(rule.when):
            if known_features is not None and condition.feature not in known_features:
                problems.append(
                    f"{source}, line {line}, rule {rule.id}: unknown feature {condition.feature!r}"
                )
            operand = condition.operand(condition.operator)
            if isinstance(operand, Param) and operand.param not in ruleset.params:
                problems.append(
                    f"{source}, line {line}, rule {rule.id}: unknown param {operand.param!r}"
                )
    if problems:
        raise RuleFileError("\n".join(problems))


def load_ruleset(path: Path, known_features: set[str] | None = None) -> RuleSet:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RuleFileError(f"{path}: cannot read: {error}") from None
    return parse_ruleset(text, str(path), known_features)
