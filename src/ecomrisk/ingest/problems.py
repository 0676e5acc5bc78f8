"""Validation problems as filers read them: the path, the problem, the offending value."""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

MAX_VALUE_CHARS = 200  # an echoed value is cut here so an error body stays small


@dataclass(frozen=True)
class FieldProblem:
    path: str
    problem: str
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def safe_value(value: Any) -> Any:
    """The offending value, in a JSON-safe, bounded form."""
    if value is None or isinstance(value, bool | int | float):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
            return str(value)[:MAX_VALUE_CHARS]
        if isinstance(value, float) and value != value:  # NaN is not JSON
            return "NaN"
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return str(value)
        return value
    if isinstance(value, str):
        return value[:MAX_VALUE_CHARS]
    if isinstance(value, bytes):
        return value[:MAX_VALUE_CHARS].decode("utf-8", "replace")
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list | tuple):
        return f"[{len(value)} items]"
    return str(value)[:MAX_VALUE_CHARS]


def path_of(location: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in location) or "(record)"


def from_errors(errors: Iterable[Any], *, drop_prefix: int = 0) -> list[FieldProblem]:
    """Problems from pydantic error dicts; ``drop_prefix`` strips e.g. ("body",)."""
    problems = []
    for error in errors:
        location = list(error.get("loc", ()))[drop_prefix:]
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        # A model validator reports "field: problem"; move the field into the path.
        head, sep, rest = message.partition(": ")
        if sep and head.isidentifier() and error.get("type") == "value_error":
            location.append(head)
            message = rest
        problems.append(FieldProblem(path_of(location), message, safe_value(error.get("input"))))
    return problems


def from_validation_error(error: ValidationError) -> list[FieldProblem]:
    return from_errors(error.errors(include_url=False))


def parse(model: type[T], data: Any) -> tuple[T | None, list[FieldProblem]]:
    """Validate ``data`` as ``model``: the record, or the list of its problems."""
    if not isinstance(data, dict):
        return None, [FieldProblem("(record)", "expected a JSON object", safe_value(data))]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        return None, from_validation_error(error)
