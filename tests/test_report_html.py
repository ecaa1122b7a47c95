"""The HTML report's content (without a browser): sections, warnings, DQR, hash, safe writing."""

from __future__ import annotations

import json
import re

import pytest

from cathode_lca.cli import main
from cathode_lca.comparison import compare
from cathode_lca.report.html import metadata_hash, report_html, report_metadata


@pytest.fixture(scope="module")
def nmc811():
    return compare("NMC811", indicators=["gwp100"], parameters={"hydro_recovery_ni": 0.95})


@pytest.mark.slow
def test_report_has_every_section_and_no_external_reference(nmc811):
    text = report_html(nmc811)
    for heading in (
        "Assumptions and scenario",
        "Results",
        "Contributions by stage",
        "Data quality",
        "Warnings",
        "Data sources",
        "Metadata",
    ):
        assert f"<h2>{heading}</h2>" in text
    assert "parameter hydro_recovery_ni" in text and "0.95" in text
    assert "Dai et al. (2019) EverBatt" in text or "EverBatt 2023" in text  # citations
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "default-src 'none'" in text  # the browser may fetch nothing
    assert "<script" not in text


@pytest.mark.slow
def test_metadata_hash_is_the_hash_of_the_metadata_shown(nmc811):
    text = report_html(nmc811)
    meta = report_metadata(nmc811)
    digest = metadata_hash(meta)
    assert f'id="metadata-hash">{digest}<' in text
    shown = json.loads(
        re.search(r"<pre>(.*?)</pre>", text, re.S).group(1).replace("&quot;", '"').replace("&#x27;", "'")
    )
    assert metadata_hash(shown) == digest
    other = compare("NMC811", indicators=["gwp100"], parameters={"hydro_recovery_ni": 0.9})
    assert metadata_hash(report_metadata(other)) != digest


@pytest.mark.slow
def test_warnings_and_dqr_from_attrs_are_shown_and_escaped(nmc811):
    ds = nmc811.copy()
    ds.attrs["warnings"] = json.dumps(["negative footprint <check> credits"])
    ds.attrs["dqr"] = json.dumps({"virgin": 2.1, "hydrometallurgical": 2.8})
    text = report_html(ds)
    assert "negative footprint &lt;check&gt; credits" in text
    assert 'data-value="2.8"' in text and "hydrometallurgical" in text


@pytest.mark.slow
def test_report_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "r.html"
    out.write_text("mine")
    with pytest.raises(SystemExit) as info:
        main(["report", "NMC811", "--out", str(out)])
    assert info.value.code == 2 and "already exists" in capsys.readouterr().err
    assert out.read_text() == "mine"
    main(["report", "NMC811", "--out", str(out), "--overwrite", "--indicator", "gwp100"])
    assert out.read_text().startswith("<!DOCTYPE html>")
