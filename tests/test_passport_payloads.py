"""Battery Pass v1.2.0 payloads: Circularity wrapper, DoC, validation against the real schemas shipped."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_passport_declaration import HAND, hand_data

from cathode_lca.errors import ValidationError
from cathode_lca.passport import assemble, get_rules, parse_battery_spec
from cathode_lca.passport.payloads import BP_DIR, validate_bp

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "src" / "cathode_lca" / "passport" / "schemas" / BP_DIR
CIRCULARITY = """
circularity:
  renewable_content_percent: 2.5
  renewable_content_source: test
  dismantling_and_removal_information:
    - {documentType: DismantlingManual, mimeType: application/pdf, documentURL: "https://example.org/d.pdf"}
  spare_part_sources:
    - nameOfSupplier: S
      addressOfSupplier: {addressCountry: DE, postalCode: "1", streetAddress: "s 1"}
      emailAddressOfSupplier: "s@example.org"
      supplierWebAddress: "https://example.org"
      components: [{partName: p, partNumber: "1"}]
  safety_measures: {safetyInstructions: "https://example.org/s.pdf", extinguishingAgent: [water]}
  end_of_life_information:
    wastePrevention: "https://example.org/w"
    separateCollection: "https://example.org/c"
    informationOnCollection: "https://example.org/i"
verification: {declaration_of_conformity_id: DoC-1, declaration_of_conformity_url: "https://example.org/doc.pdf"}
"""


def declared(text: str):
    return assemble(parse_battery_spec(text, "hand.yaml"), get_rules("cut-off"), hand_data())


def test_shipped_schemas_are_the_real_v120_files():
    sums = dict(reversed(line.split()) for line in (SCHEMA_DIR / "SHA256SUMS.txt").read_text().splitlines())
    assert set(sums) == {"CarbonFootprintForBatteries-schema.json", "Circularity-schema.json", "Labeling-schema.json"}
    for name, digest in sums.items():
        assert hashlib.sha256((SCHEMA_DIR / name).read_bytes()).hexdigest() == digest
    # the sums of the project's reference copies (shared/reference/passport/.../SHA256SUMS.txt, UTF-8 copies)
    assert sums["Circularity-schema.json"].startswith("475c0deb3fee")
    assert sums["CarbonFootprintForBatteries-schema.json"].startswith("cc469e369222")


def test_circularity_payload_with_pre_and_post_consumer_split():
    d = declared(HAND + CIRCULARITY)
    circ = d.to_dict()["circularity"]
    assert circ["renewableContent"] == 2.5
    nickel = next(e for e in circ["recycledContent"] if e["recycledMaterial"] == "Nickel")
    assert nickel == {"preConsumerShare": 5.0, "recycledMaterial": "Nickel", "postConsumerShare": 15.0}
    assert circ["dismantlingAndRemovalInformation"][0]["documentType"] == "DismantlingManual"
    assert d.to_dict()["declarationOfConformity"] == "https://example.org/doc.pdf"
    report = d.calculation["batteryPassPayloads"]["validation"]
    assert {report[k] for k in ("carbonFootprint", "recycledContent", "circularity", "declarationOfConformity")} == {
        "valid"
    }
    d.validate()


def test_an_invalid_payload_is_reported_and_refused():
    d = declared(HAND + CIRCULARITY.replace("DismantlingManual", "Leaflet"))
    assert d.calculation["batteryPassPayloads"]["validation"]["circularity"].startswith("INVALID")
    assert any("does not match the v1.2.0 schema" in w for w in d.warnings)
    with pytest.raises(ValidationError, match="circularity/dismantlingAndRemovalInformation/0/documentType"):
        d.validate()


def test_real_schema_rejects_what_the_package_must_not_emit():
    with pytest.raises(ValidationError):
        validate_bp(
            "recycledContent", [{"preConsumerShare": 120.0, "recycledMaterial": "Nickel", "postConsumerShare": 0}]
        )
    with pytest.raises(ValidationError):
        validate_bp("declarationOfConformity", 42)
    with pytest.raises(ValidationError):
        validate_bp("carbonFootprint", {"batteryCarbonFootprint": 1.0})


def test_without_a_circularity_section_it_says_why():
    d = declared(HAND)
    assert "circularity" not in d.to_dict()
    assert d.calculation["batteryPassPayloads"]["circularity"].startswith("not produced")


def test_renewable_content_outside_0_100_is_refused():
    from cathode_lca.passport.spec import BatterySpecError

    with pytest.raises(BatterySpecError, match="outside 0-100"):
        parse_battery_spec(HAND + CIRCULARITY.replace("2.5", "2.490925e+38"), "hand.yaml")
