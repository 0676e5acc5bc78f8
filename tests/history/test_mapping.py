"""Mappings: the shipped ones load; a bad one is refused with the file and the line."""

from pathlib import Path

import pytest

from ecomrisk.history import MappingError, load_mapping, shipped_mappings
from ecomrisk.history.pipeline import check_headers
from ecomrisk.history.readers import Source

GOOD = """\
name = "tiny"

[filer]
code = "hist"

[shipment]
filer_reference = { column = "ref" }
received_at = { column = "day", format = "%d/%m/%Y", timezone = "Europe/Paris" }
mode = { value = "express" }
house_bill = { column = "ref" }
port_of_arrival = { value = "FRCDG" }
estimated_arrival = { column = "day", format = "%d/%m/%Y", timezone = "Europe/Paris" }
country_of_export = { column = "from" }

[shipment.shipper]
name = { column = "sender" }

[shipment.consignee]
name = { column = "receiver" }

[items]
description = { column = "what" }
hs_code = { column = "hs", pad = 6 }
quantity = { value = "1" }
value = { column = "grams_of_gold", multiply = 0.5 }
currency = { value = "EUR" }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.toml"
    path.write_text(text)
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_shipped_mappings_load() -> None:
    names = {load_mapping(path).name for path in shipped_mappings()}
    assert {"kcs", "synthetic"} <= names
    kcs = load_mapping("kcs")  # a bare name is a shipped mapping
    assert "Critical Fraud" not in kcs.keep
    assert "Fraud" not in kcs.keep
    assert kcs.outcome is not None
    assert kcs.outcome.fields["selection"].value == "targeted"


def test_a_good_mapping_loads(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, GOOD))
    assert mapping.shipment.fields["received_at"].kind == "datetime"
    assert mapping.items.fields["value"].multiply is not None


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        (
            ("port_of_arrival =", "port_of_arival ="),
            "port_of_arival",
            "unknown field 'port_of_arival'",
        ),
        (("pad = 6", "pad = 60"), "hs_code", "pad: must be a whole number from 1 to 20"),
        (("pad = 6", "padding = 6"), "hs_code", "unknown transform 'padding'"),
        (("multiply = 0.5", "shift_days = 1"), "grams_of_gold", "shift_days applies to times only"),
        (
            ('timezone = "Europe/Paris" }\nmode', 'timezone = "Mars/Olympus" }\nmode'),
            "received_at",
            "unknown time zone",
        ),
        (
            (
                'format = "%d/%m/%Y", timezone = "Europe/Paris" }\nmode',
                'format = "%d/%m/%Y" }\nmode',
            ),
            "received_at",
            "need a timezone",
        ),
        (
            ('house_bill = { column = "ref" }', 'house_bill = { column = "ref", value = "x" }'),
            "house_bill",
            "exactly one of",
        ),
        (("[items]", "[itemz]"), "[itemz]", "unknown section"),
        (
            ('name = { column = "sender" }', 'nom = { column = "sender" }'),
            "nom =",
            "unknown field 'shipper.nom'",
        ),
    ],
)
def test_each_bad_mapping_names_its_line(
    tmp_path: Path, change: tuple[str, str], needle: str, message: str
) -> None:
    text = GOOD.replace(*change, 1)
    assert text != GOOD
    path = write(tmp_path, text)
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert f"{path}:{line_of(text, needle)}:" in str(caught.value)
    assert message in str(caught.value)


def test_a_required_field_not_mapped_is_named(tmp_path: Path) -> None:
    text = GOOD.replace('country_of_export = { column = "from" }\n', "")
    with pytest.raises(MappingError, match="required field 'country_of_export' is not mapped"):
        load_mapping(write(tmp_path, text))


def test_broken_toml_is_refused_with_its_position(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('code = "hist"', "code = hist"))
    with pytest.raises(MappingError, match=r"not valid TOML: .*line 4"):
        load_mapping(path)


def test_a_column_missing_from_the_header_names_the_mapping_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    data = tmp_path / "history.csv"
    data.write_text("ref,day,from,sender,receiver,what,hs,gold\nA,01/02/2024,CN,s,r,w,10121,1\n")
    with pytest.raises(MappingError) as caught:
        check_headers(load_mapping(path), [Source(data, "csv")])
    assert f"{path}:{line_of(GOOD, 'grams_of_gold')}: column 'grams_of_gold'" in str(caught.value)
    assert str(data) in str(caught.value)
