"""Jurisdiction profiles: the shipped ones load, bad ones are refused clearly."""

from importlib import resources
from pathlib import Path

import pytest

from ecomrisk.domain.enums import Mode
from ecomrisk.domain.jurisdiction import ProfileError, load_profile, shipped_profiles

EXPECTED = {"US-2019", "US-2025", "EU-2026", "UK", "CA", "AU"}


def test_the_six_profiles_ship_and_load() -> None:
    assert set(shipped_profiles()) == EXPECTED
    for profile_id in EXPECTED:
        assert load_profile(profile_id).id == profile_id


@pytest.mark.parametrize("profile_id", sorted(EXPECTED))
def test_each_profile_cites_its_sources(profile_id: str) -> None:
    text = resources.files("ecomrisk.profiles").joinpath(f"{profile_id}.toml").read_text()
    assert "# Sources:" in text


def test_thresholds_per_jurisdiction() -> None:
    assert load_profile("US-2019").relief_threshold(Mode.EXPRESS, "CN").amount == 800
    assert load_profile("US-2019").thresholds[0].basis == "per_person_per_day"
    # 2025: no commercial de minimis left, only the bona fide gift allowance.
    us_2025 = load_profile("US-2025").relief_threshold(Mode.MAIL, "CN")
    assert us_2025 is not None
    assert us_2025.name == "bona fide gift"
    assert load_profile("EU-2026").relief_threshold(Mode.MAIL, "CN") is None
    assert load_profile("EU-2026").thresholds[0].flat_duty == 3
    assert load_profile("UK").relief_threshold(Mode.MAIL, "CN").amount == 135
    assert load_profile("AU").relief_threshold(Mode.AIR_CARGO, "CN").amount == 1000


def test_canada_depends_on_mode_and_place_of_shipment() -> None:
    canada = load_profile("CA")
    assert canada.relief_threshold(Mode.EXPRESS, "US").amount == 150
    assert canada.relief_threshold(Mode.EXPRESS, "CN").amount == 20
    assert canada.relief_threshold(Mode.MAIL, "US").amount == 20
    assert canada.relief_threshold(Mode.TRUCK, "US") is None


def _write(tmp_path: Path, text: str) -> Path:
    base = resources.files("ecomrisk.profiles").joinpath("UK.toml").read_text()
    path = tmp_path / "bad.toml"
    path.write_text(base.replace('currency = "GBP"', text))
    return path


def test_bad_profile_names_file_key_and_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, 'currency = "XXQ"')
    with pytest.raises(ProfileError) as error:
        load_profile(path)
    assert str(path) in str(error.value)
    assert "currency" in str(error.value)
    assert "unknown ISO 4217 currency code 'XXQ'" in str(error.value)


def test_zero_random_rate_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, 'currency = "GBP"')
    path.write_text(path.read_text().replace("min_random_rate = 0.01", "min_random_rate = 0"))
    with pytest.raises(ProfileError, match=r"sampling.*min_random_rate"):
        load_profile(path)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, 'currency = "GBP"\ncurency = "GBP"')
    with pytest.raises(ProfileError, match="curency"):
        load_profile(path)


def test_broken_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("id = ")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(path)


def test_unknown_profile_lists_the_shipped_ones() -> None:
    with pytest.raises(ProfileError, match="shipped profiles: AU, CA"):
        load_profile("XX")
