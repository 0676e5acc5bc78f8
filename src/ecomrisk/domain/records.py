"""Typed records of the shipment vocabulary: what filers send and what customs records.

These models are the single definition of a filing: the API validates request
bodies with them, bulk files are parsed into them, the synthetic world emits
them and the store maps them to rows. Pure: no I/O.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ecomrisk.domain import limits
from ecomrisk.domain.codes import CountryCode, CurrencyCode, HsCode
from ecomrisk.domain.enums import (
    Action,
    ExamResult,
    ExamType,
    FindingType,
    Lane,
    Mode,
    PartyRole,
    PostalCategory,
    SelectionKind,
)
from ecomrisk.domain.s10 import s10_problem

Reference = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=limits.MAX_REFERENCE_LENGTH,
        pattern=r"^[\x21-\x7e]+$",  # printable ASCII, no spaces: it is a key
    ),
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=limits.MAX_NAME_LENGTH)
]
AddressLine = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=limits.MAX_ADDRESS_LINE_LENGTH
    ),
]
Description = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=limits.MAX_DESCRIPTION_LENGTH
    ),
]
Url = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=limits.MAX_URL_LENGTH, pattern=r"^https?://\S+$"
    ),
]
Money = Annotated[Decimal, Field(ge=0, le=limits.MAX_MONEY, allow_inf_nan=False)]
PortCode = Annotated[
    str,
    # UN/LOCODE (e.g. USJFK) or a national port code such as CBP's 4-digit ones.
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9]{2,10}$"),
]


class Record(BaseModel):
    """Base of all records: unknown fields are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Address(Record):
    line1: AddressLine | None = None
    line2: AddressLine | None = None
    city: Name | None = None
    region: Name | None = None
    postal_code: Annotated[str, StringConstraints(max_length=20)] | None = None
    country: CountryCode


class Party(Record):
    name: Name
    address: Address | None = None
    phone: Annotated[str, StringConstraints(max_length=limits.MAX_PHONE_LENGTH)] | None = None
    email: (
        Annotated[
            str,
            StringConstraints(max_length=limits.MAX_EMAIL_LENGTH, pattern=r"^[^@\s]+@[^@\s]+$"),
        ]
        | None
    ) = None
    marketplace_seller_id: Reference | None = None


class Marketplace(Record):
    name: Name
    listing_url: Url | None = None


class LineItem(Record):
    description: Description
    hs_code: HsCode
    quantity: Annotated[Decimal, Field(gt=0, le=limits.MAX_QUANTITY, allow_inf_nan=False)]
    unit: Annotated[str, StringConstraints(min_length=1, max_length=10)] = "pcs"
    value: Money
    currency: CurrencyCode
    weight_kg: (
        Annotated[Decimal, Field(gt=0, le=limits.MAX_WEIGHT_KG, allow_inf_nan=False)] | None
    ) = None
    origin_country: CountryCode | None = None
    brand: Name | None = None


class ShipmentFiling(Record):
    """Advance data for one shipment (house bill), as a filer submits it."""

    filer_reference: Reference = Field(
        description="The filer's own unique id for this shipment: the idempotency key."
    )
    mode: Mode
    house_bill: Reference = Field(description="House bill or tracking number; S10 for mail.")
    master_bill: Reference | None = None
    conveyance_reference: Reference | None = Field(
        default=None, description="Flight number, truck trip or voyage."
    )
    port_of_arrival: PortCode
    estimated_arrival: AwareDatetime
    country_of_export: CountryCode
    postal_category: PostalCategory | None = None
    claimed_exemption: Name | None = None
    marketplace: Marketplace | None = None
    product_picture_url: Url | None = None
    shipper: Party
    seller: Party | None = None
    manufacturer: Party | None = None
    consignee: Party
    purchaser: Party | None = None
    items: list[LineItem] = Field(min_length=1, max_length=limits.MAX_LINE_ITEMS)

    @model_validator(mode="after")
    def _mail_uses_s10(self) -> "ShipmentFiling":
        if self.mode is Mode.MAIL:
            problem = s10_problem(self.house_bill)
            if problem:
                raise ValueError(f"house_bill: mail items carry an S10 identifier: {problem}")
        return self

    def parties(self) -> list[tuple[PartyRole, Party]]:
        """The parties present, each with its role."""
        by_role = {
            PartyRole.SHIPPER: self.shipper,
            PartyRole.SELLER: self.seller,
            PartyRole.MANUFACTURER: self.manufacturer,
            PartyRole.CONSIGNEE: self.consignee,
            PartyRole.PURCHASER: self.purchaser,
        }
        return [(role, party) for role, party in by_role.items() if party is not None]

    def currencies(self) -> set[str]:
        return {item.currency for item in self.items}


class HouseBillRef(Record):
    """A house bill on a manifest, pointing to a shipment filed (or filed inline)."""

    house_bill: Reference
    shipment_reference: Reference | None = Field(
        default=None, description="filer_reference of the shipment filed for this house bill"
    )
    pieces: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    weight_kg: (
        Annotated[Decimal, Field(gt=0, le=limits.MAX_WEIGHT_KG, allow_inf_nan=False)] | None
    ) = None


class ManifestFiling(Record):
    """A conveyance (flight, truck trip, voyage) with the house bills it carries."""

    filer_reference: Reference
    mode: Literal[Mode.AIR_CARGO, Mode.EXPRESS, Mode.TRUCK, Mode.RAIL, Mode.OCEAN]
    conveyance_reference: Reference
    carrier: Name
    port_of_arrival: PortCode
    estimated_arrival: AwareDatetime
    country_of_departure: CountryCode
    house_bills: list[HouseBillRef] = Field(
        min_length=1, max_length=limits.MAX_HOUSE_BILLS_PER_MANIFEST
    )

    @field_validator("house_bills")
    @classmethod
    def _unique_house_bills(cls, bills: list[HouseBillRef]) -> list[HouseBillRef]:
        seen: set[str] = set()
        for bill in bills:
            if bill.house_bill in seen:
                raise ValueError(f"house bill {bill.house_bill!r} appears twice")
            seen.add(bill.house_bill)
        return bills


class PostalContent(Record):
    """One line of the contents of a CN 23 customs declaration."""

    description: Description
    quantity: Annotated[Decimal, Field(gt=0, le=limits.MAX_QUANTITY, allow_inf_nan=False)]
    net_weight_kg: Annotated[Decimal, Field(gt=0, le=limits.MAX_WEIGHT_KG, allow_inf_nan=False)]
    value: Money
    hs_tariff_number: HsCode
    origin_country: CountryCode


class PostalItemFiling(Record):
    """A postal item with its CN 23 declaration (the ITMATT message carries the same)."""

    filer_reference: Reference
    item_id: Reference = Field(description="UPU S10 identifier of the item")
    category: PostalCategory
    sender: Party
    addressee: Party
    contents: list[PostalContent] = Field(min_length=1, max_length=limits.MAX_LINE_ITEMS)
    currency: CurrencyCode
    postal_charges: Money | None = None
    total_gross_weight_kg: (
        Annotated[Decimal, Field(gt=0, le=limits.MAX_WEIGHT_KG, allow_inf_nan=False)] | None
    ) = None
    office_of_exchange: PortCode = Field(description="Office of exchange where the item arrives")
    estimated_arrival: AwareDatetime
    country_of_export: CountryCode
    importer_reference: Reference | None = None
    licence_numbers: list[Reference] = Field(default_factory=list, max_length=10)
    certificate_numbers: list[Reference] = Field(default_factory=list, max_length=10)
    invoice_number: Reference | None = None
    comments: Description | None = None

    @field_validator("item_id")
    @classmethod
    def _s10(cls, item_id: str) -> str:
        problem = s10_problem(item_id)
        if problem:
            raise ValueError(f"not a valid S10 identifier: {problem}")
        return item_id

    def to_shipment(self) -> ShipmentFiling:
        """The shipment view of this item, so mail is scored like every other mode."""
        return ShipmentFiling(
            filer_reference=self.filer_reference,
            mode=Mode.MAIL,
            house_bill=self.item_id,
            port_of_arrival=self.office_of_exchange,
            estimated_arrival=self.estimated_arrival,
            country_of_export=self.country_of_export,
            postal_category=self.category,
            shipper=self.sender,
            consignee=self.addressee,
            items=[
                LineItem(
                    description=c.description,
                    hs_code=c.hs_tariff_number,
                    quantity=c.quantity,
                    value=c.value,
                    currency=self.currency,
                    weight_kg=c.net_weight_kg,
                    origin_country=c.origin_country,
                )
                for c in self.contents
            ],
        )


class Finding(Record):
    finding_type: FindingType
    corrected_value: Money | None = None
    corrected_hs_code: HsCode | None = None
    note: Description | None = None


class Outcome(Record):
    """What an examination found and what was done."""

    exam_type: ExamType
    result: ExamResult
    findings: list[Finding] = Field(default_factory=list, max_length=20)
    action: Action
    examined_at: AwareDatetime
    selection: SelectionKind
    inclusion_probability: Annotated[float, Field(gt=0, le=1)] | None = Field(
        default=None, description="Known probability that the shipment was selected (random)"
    )
    msrp_seized: Money | None = None
    revenue_recovered: Money | None = None
    currency: CurrencyCode | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Outcome":
        if self.result is ExamResult.VIOLATION and not self.findings:
            raise ValueError("findings: a violation needs at least one finding")
        if self.result is ExamResult.NO_VIOLATION and self.findings:
            raise ValueError("findings: an exam with no violation has no findings")
        if self.selection is SelectionKind.RANDOM and self.inclusion_probability is None:
            raise ValueError("inclusion_probability: required for a random-sample exam")
        money = (self.msrp_seized, self.revenue_recovered)
        if any(m is not None for m in money) and self.currency is None:
            raise ValueError("currency: required with msrp_seized or revenue_recovered")
        return self


class Reason(Record):
    """One reason behind a decision, in words an officer understands."""

    kind: Literal["rule", "screening", "model", "network", "profile", "intelligence"]
    code: str
    text: str
    weight: float = 0.0


class Decision(Record):
    """The risk decision on one shipment version, reproducible from its versions."""

    score: Annotated[float, Field(ge=0, le=1)]
    lane: Lane
    reasons: list[Reason] = Field(default_factory=list)
    versions: dict[str, str] = Field(
        default_factory=dict, description="Version of every rule set, model and list used"
    )
    decided_at: datetime
