"""What a rule set is. Pure data, validated by pydantic."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_validator,
)

from ecomrisk.domain.enums import FindingType, Lane

Scalar = float | int | str | bool
Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "is_null", "not_null"]
OPERATORS: tuple[str, ...] = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "not_in",
    "is_null",
    "not_null",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Param(_Strict):
    """A value taken from the rule set's parameters, so a threshold is set in one place."""

    param: str


class Condition(_Strict):
    """``feature`` compared with a value: exactly one operator key, e.g. ``gt: 800``."""

    feature: str
    eq: Scalar | Param | None = None
    ne: Scalar | Param | None = None
    gt: float | Param | None = None
    gte: float | Param | None = None
    lt: float | Param | None = None
    lte: float | Param | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    is_null: Literal[True] | None = None
    not_null: Literal[True] | None = None
    _operator: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _one_operator(self) -> "Condition":
        given = [op for op in OPERATORS if self.operand(op) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a condition on {self.feature!r} needs exactly one operator of "
                f"{', '.join(OPERATORS)}; got {', '.join(given) or 'none'}"
            )
        self._operator = given[0]  # looked up for every row evaluated: found once
        return self

    def operand(self, op: str) -> Any:
        return getattr(self, "in_" if op == "in" else op)

    @property
    def operator(self) -> str:
        return self._operator


class All(_Strict):
    all: list["Expression"] = Field(min_length=1)


class AnyOf(_Strict):
    any: list["Expression"] = Field(min_length=1)


class Not(_Strict):
    not_: "Expression" = Field(alias="not")


def _expression_kind(value: Any) -> str:
    # Pick the branch from the key present, so an error speaks of that branch
    # only instead of listing why every other kind of expression did not fit.
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return f"{key}_of"
    elif isinstance(value, All):
        return "all_of"
    elif isinstance(value, AnyOf):
        return "any_of"
    elif isinstance(value, Not):
        return "not_of"
    return "condition"


Expression = Annotated[
    Annotated[Condition, Tag("condition")]
    | Annotated[All, Tag("all_of")]
    | Annotated[AnyOf, Tag("any_of")]
    | Annotated[Not, Tag("not_of")],
    Discriminator(_expression_kind),
]


class Rule(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
    description: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    rationale: str = Field(min_length=1)
    when: Expression
    weight: Annotated[float, Field(ge=0, le=1)] = Field(
        description="Chance of a violation this rule alone signals; combined by noisy-or"
    )
    lane: Lane = Field(default=Lane.RELEASE, description="Lowest lane a hit sends the filing to")
    suspected: list[FindingType] = Field(default_factory=list)
    valid_from: date | None = None
    valid_to: date | None = None
    enabled: bool = True

    def in_force(self, day: date) -> bool:
        return (
            self.enabled
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )


class RuleSet(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    version: Annotated[int, Field(ge=1)]
    description: str = ""
    params: dict[str, Scalar] = Field(default_factory=dict)
    rules: list[Rule] = Field(min_length=1)

    @property
    def label(self) -> str:
        """How decisions name the rule set they used."""
        return f"{self.name}@{self.version}"


def conditions(expression: Expression) -> list[Condition]:
    """Every leaf condition of an expression."""
    if isinstance(expression, Condition):
        return [expression]
    if isinstance(expression, Not):
        return conditions(expression.not_)
    children = expression.all if isinstance(expression, All) else expression.any
    return [c for child in children for c in conditions(child)]
