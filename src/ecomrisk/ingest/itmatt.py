"""An ITMATT-like JSON mapping of a postal item, for posts whose systems already
emit UPU ITMATT (the EDI message carrying CN 22/CN 23 data).

Field names follow ITMATT's data elements in PascalCase; validation errors name
them, so a post finds the field in its own message. ``to_filing`` turns the
item into a ``PostalItemFiling``: one definition of a postal filing downstream.
"""

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from ecomrisk.domain import limits
from ecomrisk.domain.codes import CountryCode, CurrencyCode, HsCode
from ecomrisk.domain.enums import PostalCategory
from ecomrisk.domain.records import Address as RecordAddress
from ecomrisk.domain.records import (
    AddressLine,
    Money,
    PortCode,
    PostalItemFiling,
    Reference,
)
from ecomrisk.domain.records import Description as DescriptionText
from ecomrisk.domain.records import Name as NameText
from ecomrisk.domain.records import Party as RecordParty
from ecomrisk.domain.records import PostalContent as RecordContent

# CN 23 tick-box labels (and the enum values) to categories.
NATURE_OF_TRANSACTION = {
    "gift": PostalCategory.GIFT,
    "commercial sample": PostalCategory.SAMPLE,
    "sample": PostalCategory.SAMPLE,
    "documents": PostalCategory.DOCUMENTS,
    "returned goods": PostalCategory.RETURNED_GOODS,
    "returned_goods": PostalCategory.RETURNED_GOODS,
    "sale of goods": PostalCategory.SALE_OF_GOODS,
    "sale_of_goods": PostalCategory.SALE_OF_GOODS,
    "other": PostalCategory.OTHER,
}

Kg = Annotated[float, Field(gt=0, le=float(limits.MAX_WEIGHT_KG), allow_inf_nan=False)]


class _Itmatt(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ItmattAddress(_Itmatt):
    Line1: AddressLine | None = None
    Line2: AddressLine | None = None
    City: NameText | None = None
    State: NameText | None = None
    Postcode: Annotated[str, Field(max_length=20)] | None = None
    CountryCd: CountryCode


class ItmattParty(_Itmatt):
    Name: NameText
    Address: ItmattAddress | None = None
    Phone: Annotated[str, Field(max_length=limits.MAX_PHONE_LENGTH)] | None = None
    Email: Annotated[str, Field(max_length=limits.MAX_EMAIL_LENGTH)] | None = None

    def to_party(self) -> RecordParty:
        address = None
        if self.Address is not None:
            a = self.Address
            address = RecordAddress(
                line1=a.Line1,
                line2=a.Line2,
                city=a.City,
                region=a.State,
                postal_code=a.Postcode,
                country=a.CountryCd,
            )
        return RecordParty(name=self.Name, address=address, phone=self.Phone, email=self.Email)


class ItmattContent(_Itmatt):
    Description: DescriptionText
    Quantity: Annotated[int, Field(gt=0, le=int(limits.MAX_QUANTITY))]
    NetWeight: Kg
    Value: Money
    HsTariffNumber: HsCode
    OriginCountryCd: CountryCode


class ItmattItem(_Itmatt):
    """One postal item as an ITMATT-like JSON object."""

    ItemId: Reference
    FilerReference: Reference | None = Field(default=None, description="Defaults to ItemId")
    NatureOfTransaction: str = Field(description="A CN 23 category label, e.g. 'Sale of goods'")
    Sender: ItmattParty
    Addressee: ItmattParty
    Contents: list[ItmattContent] = Field(min_length=1, max_length=limits.MAX_LINE_ITEMS)
    CurrencyCd: CurrencyCode
    PostalCharges: Money | None = None
    GrossWeight: Kg | None = None
    DestinationOfficeOfExchange: PortCode
    EstimatedArrival: AwareDatetime
    OriginCountryCd: CountryCode
    ImporterReference: Reference | None = None
    LicenceNumbers: list[Reference] = Field(default_factory=list, max_length=10)
    CertificateNumbers: list[Reference] = Field(default_factory=list, max_length=10)
    InvoiceNumber: Reference | None = None
    Comments: DescriptionText | None = None

    @field_validator("NatureOfTransaction")
    @classmethod
    def _known_nature(cls, value: str) -> str:
        if value.strip().lower() not in NATURE_OF_TRANSACTION:
            known = ", ".join(sorted({k for k in NATURE_OF_TRANSACTION if "_" not in k}))
            raise ValueError(f"unknown nature of transaction {value!r}; one of: {known}")
        return value

    def to_filing(self) -> PostalItemFiling:
        from decimal import Decimal

        return PostalItemFiling(
            filer_reference=self.FilerReference or self.ItemId,
            item_id=self.ItemId,
            category=NATURE_OF_TRANSACTION[self.NatureOfTransaction.strip().lower()],
            sender=self.Sender.to_party(),
            addressee=self.Addressee.to_party(),
            contents=[
                RecordContent(
                    description=c.Description,
                    quantity=Decimal(c.Quantity),
                    net_weight_kg=Decimal(str(c.NetWeight)),
                    value=c.Value,
                    hs_tariff_number=c.HsTariffNumber,
                    origin_country=c.OriginCountryCd,
                )
                for c in self.Contents
            ],
            currency=self.CurrencyCd,
            postal_charges=self.PostalCharges,
            total_gross_weight_kg=None
            if self.GrossWeight is None
            else Decimal(str(self.GrossWeight)),
            office_of_exchange=self.DestinationOfficeOfExchange,
            estimated_arrival=self.EstimatedArrival,
            country_of_export=self.OriginCountryCd,
            importer_reference=self.ImporterReference,
            licence_numbers=self.LicenceNumbers,
            certificate_numbers=self.CertificateNumbers,
            invoice_number=self.InvoiceNumber,
            comments=self.Comments,
        )
