"""The measures dashboard, its printable report and the supply-chain map in a real
browser against a real server: a programme manager sets a target, bad input is
refused with the field named, plots and maps load, the CSP is never broken."""

import re
from collections.abc import Iterator

import pytest

from ecomrisk.domain.enums import Role
from tests.web.server import Server, serve
from tests.web.test_browser import _chromium_or_skip, _page, browser

pytestmark = pytest.mark.slow

__all__ = ["browser"]  # the browser fixture, on this module's server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _chromium_or_skip()
    with serve(tmp_path_factory.mktemp("measures-browser")) as running:
        yield running


def _loaded(page: object, selector: str) -> None:
    """Every image matched has been fetched and decoded (a broken PNG has width 0)."""
    from playwright.sync_api import expect

    images = page.locator(selector)  # type: ignore[attr-defined]
    expect(images.first).to_be_visible()
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )  # type: ignore[attr-defined]


def test_programme_manager_sets_a_target_and_reads_the_report(
    browser: object, server: Server
) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, server, Role.PROGRAMME_MANAGER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Measures").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Performance measures")).to_be_visible()  # type: ignore[attr-defined]
    section = page.locator("#exam_rate")  # type: ignore[attr-defined]
    _loaded(page, "#exam_rate img")
    section.get_by_text("Set baseline and target").click()
    section.get_by_label("Target (0 to 1)").fill("abc")
    section.get_by_role("button", name="Set target of Exam rate").click()
    expect(page.get_by_role("alert")).to_contain_text("target: 'abc' is not a number")  # type: ignore[attr-defined]
    section = page.locator("#exam_rate")  # type: ignore[attr-defined]
    section.get_by_text("Set baseline and target").click()
    section.get_by_label("Target (0 to 1)").fill("0.5")
    section.get_by_role("button", name="Set target of Exam rate").click()
    expect(page).to_have_url(re.compile(r"/app/measures#exam_rate$"))  # type: ignore[arg-type]
    expect(page.locator("#exam_rate dl")).to_contain_text("50.0%")  # type: ignore[attr-defined]
    export = page.request.get("/app/measures/export.csv")  # type: ignore[attr-defined]
    assert export.ok
    assert export.text().startswith("measure,period,group,value,low,high,n,unit,note")
    assert "exam_rate,target,all,0.5" in export.text()
    page.get_by_role("link", name="Printable report").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name=re.compile("Performance report"))).to_be_visible()  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
    # The refused target's page comes with its 422, which the console reports.
    assert [p for p in problems if "422 (Unprocessable Entity)" not in p] == []


def test_supply_chain_map_filters_by_mode_and_weight(browser: object, server: Server) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, server, Role.ANALYST)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Supply chain").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Supply-chain map")).to_be_visible()  # type: ignore[attr-defined]
    page.get_by_label("Mode").select_option("express")  # type: ignore[attr-defined]
    page.get_by_label("Weight").select_option("value")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Show").click()  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"mode=express"))  # type: ignore[arg-type]
    expect(page.get_by_role("columnheader", name="Value")).to_be_visible()  # type: ignore[attr-defined]
    assert page.locator("tbody tr").count() > 1  # type: ignore[attr-defined]
    _loaded(page, "main img")
    page.context.close()  # type: ignore[attr-defined]
    assert problems == []


def test_officers_do_not_see_the_measures(browser: object, server: Server) -> None:
    page, _ = _page(browser, server, Role.OFFICER)
    assert (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Measures").count()
        == 0
    )  # type: ignore[attr-defined]
    response = page.goto("/app/measures")  # type: ignore[attr-defined]
    assert response.status == 403
    page.context.close()  # type: ignore[attr-defined]
