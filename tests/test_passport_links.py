"""The public links of a declaration are web links, never script, data or file URIs.

Before: ``carbon_footprint_study: "javascript:alert(1)"`` passed as an absolute URI into
``carbonFootprint.carbonFootprintStudy`` of a schema-valid Battery Pass payload, which a passport viewer
shows as a link to the public.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cathode_lca.passport import parse_battery_spec
from cathode_lca.passport.spec import BatterySpecError

TEXT = (Path(__file__).resolve().parent.parent / "examples" / "battery-nmc811.yaml").read_text(encoding="utf-8")
STUDY = '"https://example.org/ex-811-100/carbon-footprint-study.pdf"'
DOC = '"https://example.org/ex-811-100/eu-declaration-of-conformity.pdf"'


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "https:/x"]
)
@pytest.mark.parametrize(("field", "old"), [("carbon_footprint_study", STUDY), ("declaration_of_conformity_url", DOC)])
def test_non_web_links_are_refused(link, field, old):
    assert TEXT.count(old) == 1
    with pytest.raises(BatterySpecError, match="not a web link|not an absolute URI") as info:
        parse_battery_spec(TEXT.replace(old, f'"{link}"'), "battery.yaml")
    assert info.value.field.endswith(field)


def test_http_and_https_links_pass():
    parse_battery_spec(TEXT.replace(STUDY, '"HTTP://Example.org/s.pdf"'), "battery.yaml")
    parse_battery_spec(TEXT, "battery.yaml")


@pytest.mark.parametrize(
    ("old", "field"),
    [
        (
            'documentURL: "https://example.org/ex-811-100/dismantling.pdf"',
            "dismantling_and_removal_information[0].documentURL",
        ),
        ('supplierWebAddress: "https://example.org/spares"', "spare_part_sources[0].supplierWebAddress"),
        ('safetyInstructions: "https://example.org/ex-811-100/safety.pdf"', "safety_measures.safetyInstructions"),
        (
            'wastePrevention: "https://example.org/ex-811-100/waste-prevention"',
            "end_of_life_information.wastePrevention",
        ),
    ],
)
def test_circularity_links_are_web_links(old, field):
    # before: 'javascript:alert(1)' in these fields went into a Circularity payload reported "valid"
    assert TEXT.count(old) == 1
    key = old.split(":", 1)[0]
    with pytest.raises(BatterySpecError, match="not a web link") as info:
        parse_battery_spec(TEXT.replace(old, f'{key}: "javascript:alert(1)"'), "battery.yaml")
    assert info.value.field == f"circularity.{field}"
