"""A violation report as the public sends it: checked field by field. Pure."""

import re
from dataclasses import dataclass, field

from ecomrisk.portal.evidence_files import EvidenceFile

VIOLATION_TYPES = {
    "counterfeit": "Counterfeit goods",
    "duty_evasion": "Duty evasion",
    "forced_labour": "Forced labour",
    "misclassification": "Misclassification",
    "undervaluation": "Undervaluation",
    "prohibited_goods": "Prohibited goods",
    "health_and_safety": "Health and safety",
    "other": "Other",
}
OUTCOMES = ("substantiated", "unsubstantiated", "duplicate", "referred")
STATUSES = ("new", *OUTCOMES)
LIMITS = {
    "contact_name": 200,
    "contact_email": 254,
    "contact_phone": 40,
    "violator_name": 200,
    "violator_address": 600,
    "violator_website": 500,
    "product": 200,
    "description": 5000,
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEBSITE = re.compile(r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
PHONE = re.compile(r"^\+?[\d ()./-]{5,40}$")


@dataclass(frozen=True)
class ReportInput:
    violator_name: str
    violation_type: str
    product: str
    description: str
    violator_address: str = ""
    violator_website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    files: list[EvidenceFile] = field(default_factory=list)

    @property
    def anonymous(self) -> bool:
        return not (self.contact_name or self.contact_email or self.contact_phone)


def problems(report: ReportInput) -> list[str]:
    """Every problem of the report, each naming its field; empty when it can be kept."""
    found = []
    for name in ("violator_name", "product", "description"):
        if not getattr(report, name).strip():
            found.append(f"{name}: required")
    for name, limit in LIMITS.items():
        if len(getattr(report, name)) > limit:
            found.append(f"{name}: at most {limit} characters")
    if report.violation_type not in VIOLATION_TYPES:
        found.append(
            f"violation_type: {report.violation_type!r} is not one of {', '.join(VIOLATION_TYPES)}"
        )
    if report.description.strip() and len(report.description.strip()) < 20:
        found.append("description: say what you saw, in 20 characters at least")
    if report.contact_email and not EMAIL.match(report.contact_email):
        found.append("contact_email: not an e-mail address")
    if report.contact_phone and not PHONE.match(report.contact_phone):
        found.append("contact_phone: not a phone number")
    if report.violator_website and not WEBSITE.match(report.violator_website):
        found.append("violator_website: not a web address (e.g. shop.example.com)")
    return found
