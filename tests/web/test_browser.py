"""Each role's main journey in a real browser (Playwright driving Debian's Chromium)
against a real server: sign in, work the queue, claim, record a seizure; edit,
validate, publish and backtest a rule. No page may break its Content-Security-Policy."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecomrisk.domain.enums import Role
from tests.web.server import CHROMIUM, CHROMIUM_ARGS, Server, serve

pytestmark = pytest.mark.slow


def _chromium_or_skip() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"browser tests need Chromium at {CHROMIUM} (`make browser` installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _chromium_or_skip()
    with serve(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: object, server: Server, role: Role) -> tuple[object, list[str]]:
    """A fresh browser context signed in as ``role``; also the CSP/console errors seen."""
    context = browser.new_context(base_url=server.url)  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    username, password = server.passwords[role]
    page.goto("/app/queue" if role is Role.OFFICER else "/app/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page, problems


def test_officer_works_the_queue_claims_and_records_a_seizure(
    browser: object, server: Server
) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, server, Role.OFFICER)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    first_row = page.locator("#queue tbody tr").first
    house_bill = first_row.locator("td a").first.inner_text()
    # Filter by the facility of the first row, with HTMX swapping only the table.
    facility = first_row.locator("td").nth(3).inner_text()
    page.get_by_label("Facility (port of arrival)").select_option(facility)
    expect(page).to_have_url(re.compile(f"facility={facility}"))  # pushed by HTMX
    row = page.locator("#queue tbody tr", has_text=house_bill)
    row.get_by_role("button", name=f"Claim {house_bill}").click()
    expect(row.get_by_role("button", name=f"Release claim on {house_bill}")).to_be_visible()
    row.get_by_role("link", name=house_bill).click()
    expect(page.get_by_role("heading", name=f"Shipment {house_bill}")).to_be_visible()
    page.get_by_label("Exam type").select_option("physical")
    page.get_by_label("Result").select_option("violation")
    page.get_by_label("Action").select_option("seize")
    page.locator("#finding_type_1").select_option("undervaluation")
    page.locator("#corrected_value_1").fill("250.00")
    page.get_by_label("Note on finding 1").fill("invoice in the parcel")
    page.get_by_role("button", name="Record exam").click()
    expect(page.get_by_role("status")).to_have_text("Exam recorded.")
    expect(page.get_by_text("corrected value 250.00")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Case \d+$")).click()
    expect(page.get_by_role("heading", name="seized")).to_be_visible()
    expect(page.get_by_role("cell", name="notice of seizure")).to_be_visible()
    page.locator("#step").select_option("seizure_notice")
    page.locator("#note").fill("sent by registered mail")
    page.get_by_role("button", name="Record step").click()
    expect(page.get_by_role("listitem").filter(has_text="Notice of seizure sent")).to_be_visible()
    assert problems == []


def test_analyst_edits_validates_publishes_and_backtests_a_rule(
    browser: object, server: Server
) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, server, Role.ANALYST)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rules").click()
    page.get_by_role("link", name="default@1").click()
    page.get_by_role("link", name="Edit as a new version").click()
    editor = page.get_by_label("Rule set YAML")
    source = editor.input_value()
    assert "version: 2" in source
    editor.fill(source.replace("weight: 0.35", "weight: 1.35", 1))
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_role("alert")).to_contain_text("field rules.0.weight")
    editor.fill(source.replace("weight: 0.35", "weight: 0.4", 1))
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_role("status")).to_have_text("Valid rule set.")
    page.get_by_role("button", name="Publish as draft").click()
    expect(page.get_by_role("heading", name="Rule set default@2")).to_be_visible()
    page.get_by_role("button", name="Run backtest").click()
    expect(page.get_by_role("heading", name="Backtest of default@2")).to_be_visible()
    expect(page.get_by_role("cell", name="split-consignee-day", exact=True)).to_be_visible()
    assert problems == []


def _visitor(browser: object, server: Server) -> tuple[object, list[str]]:
    """A fresh browser context on the public portal, never signed in."""
    context = browser.new_context(base_url=server.url)  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


def test_the_public_reads_guidance_and_reports_a_violation_with_evidence(
    browser: object, server: Server
) -> None:
    from playwright.sync_api import expect

    page, problems = _visitor(browser, server)
    page.goto("/portal/")
    nav = page.get_by_role("navigation", name="Portal")
    nav.get_by_role("link", name="Guidance for shippers").click()
    expect(
        page.get_by_role("heading", name="What data customs needs, before arrival")
    ).to_be_visible()
    nav.get_by_role("link", name="Guidance for buyers").click()
    expect(page.get_by_role("heading", name="Report what you suspect")).to_be_visible()
    nav.get_by_role("link", name="Report a violation").click()
    page.get_by_label("Name of the seller, shipper or importer").fill("Knockoff Trading")
    page.get_by_label("Their website or shop page (if known)").fill("knockoff.example/shop")
    page.get_by_label("Kind of violation").select_option("counterfeit")
    page.get_by_label("Product").fill("designer handbags")
    page.get_by_label("What you saw (20 to 5000 characters)").fill(
        "Handbags with a luxury logo at a tenth of the shop price."
    )
    page.get_by_label(re.compile("^Evidence")).set_input_files(
        [{"name": "bag.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64)}]
    )
    page.wait_for_timeout(3200)  # the portal refuses forms sent back faster than a person
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Thank you: your report is received")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"RPT-[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    assert page.context.cookies() == []  # the portal sets no cookie at all
    assert problems == []


def test_the_programme_manager_approves_and_the_public_finds_the_member(
    browser: object, server: Server
) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, server, Role.PROGRAMME_MANAGER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", name="Trusted-shipper programme")).to_be_visible()
    page.get_by_label("Role").select_option("shipper")
    page.get_by_label("Name (filer code for a filer)").fill("Browser Vetted Shipping")
    page.get_by_label("Country (ISO)").fill("NL")
    page.get_by_label("Contact").fill("compliance@vetted.example")
    page.get_by_role("button", name="Record application").click()
    expect(
        page.get_by_role("heading", name=re.compile("TP-\\d+: Browser Vetted Shipping"))
    ).to_be_visible()
    expect(page.locator("tr[data-criterion=history]")).to_contain_text("fail")  # no filings yet
    expect(page.locator("tr[data-criterion=volume]")).to_contain_text("0 shipments")
    page.get_by_label("Decision").select_option("approve")
    page.get_by_label("Reason").fill("vetted on site visit")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#status")).to_have_text("approved")
    expect(page.get_by_role("cell", name="vetted on site visit")).to_be_visible()
    assert problems == []

    public, public_problems = _visitor(browser, server)
    public.goto("/portal/trusted")
    public.get_by_label("Name of the importer or shipper").fill("vetted shipping")
    public.get_by_role("button", name="Search").click()
    row = public.locator("tbody tr").first
    expect(row).to_contain_text("Browser Vetted Shipping")
    expect(row).to_contain_text("Shipper")
    expect(row).to_contain_text("NL")
    assert "compliance@vetted.example" not in public.content()
    assert public_problems == []
