"""Property tests of the PACT reader: any input is read or refused as a user error, and a footprint
the package writes reads back to the same value (hypothesis)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cathode_lca.errors import CathodeLCAError
from cathode_lca.exchange.pact import (
    DECLARED_UNITS,
    SCHEMA_FILE,
    parse_footprint,
    product_footprint,
    read_footprint,
)

SCHEMA = json.loads(SCHEMA_FILE.read_text())
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
# a PACT text field may hold any text a person writes, not control characters, bidi overrides or lone
# surrogates (refused, tests/test_exchange_hostile.py)
TEXT = st.text(
    st.characters(
        blacklist_categories=("Cc", "Cs"),
        blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029",
    ),
    min_size=1,
    max_size=30,
).filter(str.strip)
GWP = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


def base() -> dict[str, Any]:
    return product_footprint(
        1.0, company="S", cpc="1", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z"
    )


@pytest.mark.slow
@settings(deadline=None, max_examples=30)  # no wall-clock limit (shared machine); schema checks are slow
@given(gwp=GWP, company=TEXT, product=TEXT, first=st.integers(1900, 2024), span=st.integers(0, 5))
def test_a_written_footprint_validates_and_reads_back_exactly(gwp, company, product, first, span):
    last = min(first + span, 2024)  # ended before created (2026-01-01); from 2025 PACT needs dqi
    fp = product_footprint(
        gwp, company=company, cpc="34240", product=product, period=(first, last), created="2026-01-01T00:00:00Z"
    )
    jsonschema.validate(fp, SCHEMA)
    read = parse_footprint(json.loads(json.dumps(fp)), "x.json")
    assert (read.gwp, read.unit, read.company, read.product) == (gwp, "kg", company, product)


@settings(deadline=None)  # no wall-clock limit: the machine is shared
@given(gwp=GWP, unit=st.sampled_from(sorted(DECLARED_UNITS)), amount=st.floats(1e-6, 1e6))
def test_the_value_is_per_declared_unit_whatever_the_unitary_amount(gwp, unit, amount):
    fp = product_footprint(
        gwp,
        company="S",
        cpc="1",
        product="p",
        period=(2023, 2023),
        created="2026-01-01T00:00:00Z",
        declared_unit=unit,
        unitary_amount=amount,
    )
    read = parse_footprint(fp, "x.json")
    assert read.gwp == gwp and read.unit == DECLARED_UNITS[unit]


@settings(deadline=None)  # no wall-clock limit: the machine is shared
@given(data=JSON)
def test_any_json_is_read_or_refused_as_a_user_error(data):
    try:
        read = parse_footprint(data, "x.json")
    except CathodeLCAError as exc:
        assert "x.json" in str(exc)
    else:  # only a complete footprint is read, and its value is usable
        assert math.isfinite(read.gwp) and read.gwp >= 0


KEYS = sorted(base()) + ["dqi", "primaryDataShare", *base()["pcf"]]


@settings(deadline=None)  # no wall-clock limit: the machine is shared
@given(where=st.sampled_from(["top", "pcf"]), key=st.sampled_from(KEYS) | st.text(max_size=10), value=JSON)
def test_any_field_replaced_by_any_json_is_read_or_refused(where, key, value):
    fp = base()
    (fp if where == "top" else fp["pcf"])[key] = value
    try:
        read = parse_footprint(fp, "x.json")
    except CathodeLCAError as exc:
        assert "x.json" in str(exc)
    else:
        assert math.isfinite(read.gwp) and read.gwp >= 0
        assert read.primary_data_share is None or 0 <= read.primary_data_share <= 100
        assert all(math.isfinite(v) for v in read.dqi.values())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(raw=st.binary(max_size=200) | JSON.map(lambda d: json.dumps(d).encode()))
def test_any_bytes_in_a_file_are_read_or_refused(tmp_path: Path, raw: bytes):
    path = tmp_path / "pcf.json"
    path.write_bytes(raw)
    try:
        read_footprint(path)
    except CathodeLCAError as exc:
        assert str(path) in str(exc)
