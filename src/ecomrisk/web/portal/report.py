"""Report a suspected violation: anonymous or with contact details, evidence files
checked by their bytes, a reference number back. Spam resistance without third
parties: a hidden honeypot field, a minimum fill time in the signed form token,
and a per-client limit of reports per hour kept in the store."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.portal import rate_limit, reports_repo
from ecomrisk.portal.evidence_files import EvidenceFile, FileRejectedError, check
from ecomrisk.portal.reports import VIOLATION_TYPES, ReportInput, problems
from ecomrisk.settings import Settings
from ecomrisk.web.portal import PORTAL_PREFIX, form_token, visitor
from ecomrisk.web.portal.search import client_ip
from ecomrisk.web.templating import render

router = APIRouter(dependencies=[Depends(visitor())])

FORM = "report"
HONEYPOT = "homepage"  # hidden from people; a robot filling every field fills it


def _form(request: Request, settings: Settings, status: int = 200, **context: object) -> Response:
    return render(
        request,
        "portal/report.html",
        status,
        token=form_token.issue(settings, FORM),
        violation_types=VIOLATION_TYPES,
        max_files=settings.portal_max_files,
        max_file_bytes=settings.portal_max_file_bytes,
        honeypot=HONEYPOT,
        **context,
    )


@router.get("/report")
def report_form(request: Request, settings: SettingsDep) -> Response:
    """The report form."""
    return _form(request, settings, form={})


async def _files(uploads: list[UploadFile], settings: Settings) -> list[EvidenceFile]:
    chosen = [u for u in uploads if u.filename]  # an empty file input sends a nameless part
    if len(chosen) > settings.portal_max_files:
        raise FileRejectedError(f"evidence: at most {settings.portal_max_files} files")
    accepted = []
    for upload in chosen:
        content = await upload.read(settings.portal_max_file_bytes + 1)
        accepted.append(check(upload.filename or "", content, settings.portal_max_file_bytes))
    return accepted


@router.post("/report")
async def send_report(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    form_token_value: Annotated[str, Form(alias="form_token", max_length=500)] = "",
    violator_name: Annotated[str, Form(max_length=1000)] = "",
    violator_address: Annotated[str, Form(max_length=2000)] = "",
    violator_website: Annotated[str, Form(max_length=2000)] = "",
    violation_type: Annotated[str, Form(max_length=100)] = "",
    product: Annotated[str, Form(max_length=1000)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    contact_name: Annotated[str, Form(max_length=1000)] = "",
    contact_email: Annotated[str, Form(max_length=1000)] = "",
    contact_phone: Annotated[str, Form(max_length=1000)] = "",
    homepage: Annotated[str, Form(max_length=1000)] = "",
    evidence: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI copies it)
) -> Response:
    """Check and keep the report; its reference number on the next page."""
    form = {
        "violator_name": violator_name,
        "violator_address": violator_address,
        "violator_website": violator_website,
        "violation_type": violation_type,
        "product": product,
        "description": description,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "contact_phone": contact_phone,
    }
    if homepage:
        raise HTTPException(400, "the form was filled in by a robot (a hidden field has a value)")
    try:
        form_token.check(settings, form_token_value, FORM)
        files = await _files(evidence, settings)
    except (form_token.FormTokenError, FileRejectedError) as error:
        return _form(request, settings, 422, problems=[str(error)], form=form)
    report = ReportInput(**form, files=files)
    found = problems(report)
    if found:
        return _form(request, settings, 422, problems=found, form=form)
    with engine.begin() as connection:
        allowed = rate_limit.hit(
            connection,
            rate_limit.client_of(client_ip(request)),
            "report",
            settings.portal_reports_per_hour,
            timedelta(hours=1),
        )
        if not allowed:
            raise HTTPException(
                429, "too many reports from your address in the last hour: try again later"
            )
        reference = reports_repo.submit(connection, report)
    return RedirectResponse(f"{PORTAL_PREFIX}/report/sent/{reference}", status_code=303)


@router.get("/report/sent/{reference}")
def sent(request: Request, reference: str) -> Response:
    """The reference number to quote (nothing of the report is shown back)."""
    if len(reference) > 20 or not reference.startswith("RPT-"):
        raise HTTPException(404, "no such page")
    return render(request, "portal/report_sent.html", reference=reference)
