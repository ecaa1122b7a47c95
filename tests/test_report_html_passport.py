"""The HTML report's passport summary carries the verdicts a signer needs, not only the numbers."""

from __future__ import annotations

import re

import pytest
from test_passport_declaration import HAND, hand_data

from cathode_lca.passport import assemble, get_rules, parse_battery_spec


@pytest.fixture(scope="module")
def section():
    pytest.importorskip("matplotlib")
    from cathode_lca.report.html import _passport_section

    declaration = assemble(parse_battery_spec(HAND, "hand.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    return re.sub(r'src="data:[^"]+"', 'src=""', _passport_section(declaration))


def test_non_compliance_is_stated_in_the_passport_summary(section):
    # before: the summary showed the totals; "cannot be filed as it is" was only in the list of
    # warnings further down the page
    summary = section[: section.index("<table")]
    assert "NON-COMPLIANCE" in summary and "cannot be filed as it is" in summary


def test_recycled_content_rows_say_pass_fail_or_not_verifiable(section):
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr><td>(Co|Ni|Li|Pb)</td>.*?</tr>", section)}
    assert set(rows) == {"Co", "Ni", "Li", "Pb"}
    # by hand from the HAND battery: Li 10 % (0 + 10 post-consumer), no evidence -> 2031 minimum 6 %
    # met but not verifiable; 2036 minimum 12 % failed by 2 pp. Co 0 %: fails 16 % by 16 pp.
    assert "6 % met, NOT VERIFIABLE" in rows["Li"] and "12 % FAIL (gap 2 pp)" in rows["Li"]
    assert "16 % FAIL (gap 16 pp)" in rows["Co"]
    assert 'data-value="10.0"' in rows["Li"]


def test_summary_says_which_inputs_the_declaration_uses(section):
    assert "Computed from the battery file" in section and "not to this declaration" in section


@pytest.mark.slow
def test_metadata_hash_covers_the_battery_file():
    # before: the page's metadata (and its hash) said nothing about --battery: reports on two different
    # battery files carried the same "metadata hash", which is meant to identify the inputs
    from cathode_lca.comparison import compare
    from cathode_lca.report.html import metadata_hash, report_html

    ds = compare("NMC811", indicators=["gwp100"])
    first = assemble(parse_battery_spec(HAND, "hand.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    other = HAND.replace("service_life_years: 10", "service_life_years: 12")
    second = assemble(parse_battery_spec(other, "other.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    hashes = []
    for declaration in (first, second):
        page = report_html(ds, declaration=declaration)
        shown = re.search(r'id="metadata-hash">([0-9a-f]{64})<', page).group(1)
        meta = __import__("json").loads(
            re.search(r"<pre>(.*?)</pre>", page, re.S).group(1).replace("&quot;", '"').replace("&#x27;", "'")
        )
        assert meta["passport"]["specSha256"] == declaration.calculation["metadata"]["specSha256"]
        assert metadata_hash(meta) == shown
        hashes.append(shown)
    assert hashes[0] != hashes[1]
