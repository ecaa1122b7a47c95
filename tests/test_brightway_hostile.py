"""The Brightway entry points given wrong arguments, by a Python caller or on the command line.

Each case was seen raising a raw Python error, or doing something silently, before its fix:

- ``export_to_brightway(1)``: "'int' object has no attribute 'strip'"; ``methods="ipcc2021-gwp100"``
  read letter by letter ("unknown method 'i'"); ``model="x.yaml"``: "'str' object has no attribute
  'inventory'"; ``overwrite="no"`` (a true string) replaced the user's databases; a project name
  with a control character (``"cathode\\n"``, a name read from a file) created a second project
  that looks like the first; ``--biosphere ""`` silently meant ``--biosphere none``.
- ``model_on_background(None, ...)``: "'NoneType' object has no attribute 'startswith'";
  ``extra="my.yaml"`` read letter by letter ("no such file: m").
- ``write_datapackage(path, samples=3, seed=1.5)`` ran as seed 1; ``seed=-1`` was a raw
  ValueError, also from ``cathode-lca brightway datapackage --seed -1`` (a traceback).
- ``crosscheck(..., rtol=float("nan"))`` passed whatever bw2calc computed: a check that cannot fail.
- An amount that is infinite at the default parameters passed the export's plan and failed inside
  bw2data, reported as "close other programs that use the project".

Later sections (links, mapping values, names that collide with the export's own, recalculate(),
names too long for a file name) say what was seen in their own comments.

Expected everywhere: a :class:`UsageError` (or ParameterError for a value) that names the argument
and what it accepts, exit code 2 without a traceback on the command line, and nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, run_main

from cathode_lca.brightway.background import model_on_background
from cathode_lca.brightway.background_mapping import load_mapping, shipped_mapping
from cathode_lca.brightway.crosscheck import crosscheck, crosscheck_many
from cathode_lca.brightway.datapackage import write_datapackage
from cathode_lca.brightway.export import export_to_brightway
from cathode_lca.brightway.plan import plan_export
from cathode_lca.brightway.staging import recover
from cathode_lca.errors import CathodeLCAError, InventoryError, ParameterError, UsageError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel
from cathode_lca.methods import load_method

pytestmark = pytest.mark.brightway


@pytest.fixture(scope="module")
def chain() -> LCAModel:
    return LCAModel(load_inventory([DATA / "chain.yaml"]))


@pytest.fixture(scope="module")
def test_gwp():
    return load_method("test-gwp", str(DATA / "method-test.yaml"))


def projects(bd) -> set[str]:
    return {p.name for p in bd.projects}


# ---------------------------------------------------------------------------
# export_to_brightway / plan_export / recover


@pytest.mark.parametrize("project", [1, ["p"], b"p", Path("p")])
def test_export_refuses_a_project_that_is_not_a_name(bd, chain, test_gwp, project):
    before = projects(bd)
    with pytest.raises(UsageError, match=r"project must be a Brightway project name \(a string\), got"):
        export_to_brightway(project, chain, methods=[test_gwp])
    assert projects(bd) == before


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"project": "cathode\n"}, "project"),
        ({"project": "a\x00b"}, "project"),
        ({"project": "p", "prefix": "cathode\tlca"}, "prefix"),
        ({"project": "p", "biosphere": "biosphere3\x1b"}, "biosphere"),
    ],
)
def test_export_refuses_control_characters_in_names(bd, chain, test_gwp, kwargs, what):
    before = projects(bd)
    with pytest.raises(UsageError, match=f"{what} .* contains the control character"):
        export_to_brightway(model=chain, methods=[test_gwp], **kwargs)
    assert projects(bd) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix": 1}, r"prefix must be a name \(a string\), got 1 \(int\)"),
        ({"biosphere": 1}, r"biosphere must be a database name \(a string\) or None, got 1 \(int\)"),
        ({"biosphere": ""}, r"empty biosphere database name"),
        ({"methods": "ipcc2021-gwp100"}, r"methods must be a list of method ids, got the string 'ipcc2021-gwp100'"),
        ({"methods": 1}, r"methods must be a list of method ids, got 1 \(int\)"),
        ({"model": "x.yaml"}, r"model must be an LCAModel or None, got 'x.yaml' \(str\)"),
        ({"model": 1}, r"model must be an LCAModel or None, got 1 \(int\)"),
    ],
)
def test_plan_refuses_arguments_of_the_wrong_type(kwargs, message):
    with pytest.raises(UsageError, match=message):
        plan_export(**kwargs)


def test_overwrite_must_be_true_or_false_not_a_true_string(bd, chain, test_gwp):
    export_to_brightway("p", chain, methods=[test_gwp])
    bd.projects.set_current("p")
    bd.Database("cathode-lca foreground").metadata["mine"] = "kept"  # marks the existing export
    bd.databases.flush()
    for overwrite in ("no", 1, None):
        with pytest.raises(UsageError, match=r"overwrite must be True or False, got"):
            export_to_brightway("p", chain, methods=[test_gwp], overwrite=overwrite)
    bd.projects.set_current("p")
    assert bd.databases["cathode-lca foreground"].get("mine") == "kept"  # not replaced


@pytest.mark.parametrize("project", [None, 1, ""])
def test_recover_refuses_a_project_that_is_not_a_name(bd, project):
    with pytest.raises(UsageError, match=r"project must be a Brightway project name|empty Brightway project name"):
        recover(project)


def test_cli_export_refuses_a_control_character_and_an_empty_biosphere(bd, capsys):
    before = projects(bd)
    code, _out, err = run_main(["brightway", "export", "--project", "cathode\x01", "--method", "ced"], capsys)
    assert code == 2 and "contains the control character '\\x01'" in err and "Traceback" not in err
    code, _out, err = run_main(["brightway", "export", "--project", "p", "--biosphere", "", "--method", "ced"], capsys)
    assert code == 2 and "empty biosphere database name" in err and "--biosphere none" in err
    assert projects(bd) == before


# ---------------------------------------------------------------------------
# an amount that is not finite at the default parameters


INFINITE = """format: cathode-lca/1
include: [flows.yaml]
parameters:
  big: {value: 1.0e308, unit: kg/kg, source: test}
datasets:
  - id: c
    name: product C
    stage: cam-production
    element_balance: {skip: test}
    exchanges:
      - {input: a, amount: big * 10, unit: kg, source: test}
  - id: a
    name: material A
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 1, unit: kg, source: test}
"""


def test_an_infinite_amount_is_refused_before_anything_is_written(bd, tmp_path, test_gwp):
    (tmp_path / "flows.yaml").write_text((DATA / "flows.yaml").read_text())
    (tmp_path / "inf.yaml").write_text(INFINITE)
    model = LCAModel(load_inventory([tmp_path / "inf.yaml"]))  # 1e308 * 10 overflows to inf
    for call in (lambda: plan_export(model, methods=[test_gwp]), lambda: export_to_brightway("p", model)):
        with pytest.raises(ParameterError, match="NaN or infinite") as info:
            call()
        assert info.value.file is not None and info.value.file.endswith("inf.yaml")
        assert info.value.dataset == "c" and info.value.line == 11
    assert "p" not in projects(bd)


# ---------------------------------------------------------------------------
# model_on_background / load_mapping


@pytest.mark.parametrize("background", [None, 1, ["brightway:p/db"]])
def test_background_must_be_a_spec(background):
    with pytest.raises(UsageError, match=r"background must be 'brightway:PROJECT/DATABASE' \(a string\), got"):
        model_on_background(background, shipped_mapping())


@pytest.mark.parametrize("mapping", [None, 1, [str(shipped_mapping())]])
def test_mapping_must_be_a_path(mapping):
    with pytest.raises(UsageError, match=r"mapping must be the path or shipped name of a mapping file"):
        model_on_background("brightway:p/db", mapping)
    with pytest.raises(UsageError, match=r"mapping must be the path or shipped name of a mapping file"):
        load_mapping(mapping)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inventory": "my.yaml"}, r"inventory must be an Inventory \(from load_inventory\) or None, got 'my.yaml'"),
        ({"extra": "my.yaml"}, r"extra must be a list of files or folders, got the single path 'my.yaml'"),
        ({"extra": Path("my.yaml")}, r"extra must be a list of files or folders, got the single path 'my.yaml'"),
        ({"extra": 1}, r"extra must be a list of files or folders, got 1 \(int\)"),
    ],
)
def test_background_inventory_arguments_of_the_wrong_type(kwargs, message):
    with pytest.raises(UsageError, match=message):
        model_on_background("brightway:p/db", shipped_mapping(), **kwargs)


# ---------------------------------------------------------------------------
# write_datapackage


@pytest.mark.parametrize("path", [None, 1, ["a.zip"]])
def test_datapackage_path_must_be_a_path(path):
    with pytest.raises(UsageError, match=r"path must be a file path \(str or Path\), got"):
        write_datapackage(path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": ["ipcc2021-gwp100"]}, r"method must be one method id \(a string\) or a Method, got"),
        ({"samples": 1.5}, r"samples must be a whole number, 0 or more, got 1.5 \(float\)"),
        ({"samples": "10"}, r"samples must be a whole number, 0 or more, got '10' \(str\)"),
        ({"samples": True}, r"samples must be a whole number, 0 or more, got True \(bool\)"),
        ({"samples": 3, "seed": 1.5}, r"seed must be a whole number from 0 to 2\*\*63 - 1 or None"),
        ({"samples": 3, "seed": -1}, r"seed must be a whole number from 0 to 2\*\*63 - 1 or None"),
        ({"samples": 3, "seed": True}, r"seed must be a whole number from 0 to 2\*\*63 - 1 or None"),
        ({"samples": 3, "seed": 2**70}, r"seed must be a whole number from 0 to 2\*\*63 - 1 or None"),
        ({"scenarios": "regions.yaml"}, r"scenarios must be a mapping \{scenario name: \{parameter: value\}\}, got"),
        ({"scenarios": ["CN"]}, r"scenarios must be a mapping \{scenario name: \{parameter: value\}\}, got"),
        ({"scenarios": {1: {"plant_region": "CN"}}}, r"scenario names must be strings, got 1 \(int\)"),
        ({"parameters": "plant_region=CN"}, r"parameters must be a mapping of parameter name to value, got str"),
        ({"model": "x.yaml"}, r"model must be an LCAModel or None, got 'x.yaml' \(str\)"),
    ],
)
def test_datapackage_arguments_of_the_wrong_type(tmp_path, kwargs, message):
    with pytest.raises(UsageError, match=message):
        write_datapackage(tmp_path / "out.zip", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_a_scenario_value_that_is_not_a_number_names_the_scenario_and_parameter(tmp_path):
    with pytest.raises(ParameterError, match=r"scenario 'high': 'hydro_recovery_ni' must be a number, got 'abc'"):
        write_datapackage(
            tmp_path / "out.zip", scenarios={"low": {"hydro_recovery_ni": 0.9}, "high": {"hydro_recovery_ni": "abc"}}
        )
    assert list(tmp_path.iterdir()) == []


def test_datapackage_overwrite_must_be_true_or_false(tmp_path):
    out = tmp_path / "mine.zip"
    out.write_bytes(b"the user's file")
    with pytest.raises(UsageError, match=r"overwrite must be True or False, got 'no' \(str\)"):
        write_datapackage(out, overwrite="no")
    assert out.read_bytes() == b"the user's file"


@pytest.mark.parametrize("extra", [[], ["--scenarios", "s.yaml"]], ids=["seed alone", "seed with scenarios"])
def test_a_seed_without_samples_is_refused_not_ignored(tmp_path, capsys, extra):
    """--seed drew nothing without --samples and was recorded nowhere: a user who meant a Monte Carlo
    package got a deterministic one without a word."""
    (tmp_path / "s.yaml").write_text("low: {hydro_recovery_ni: 0.9}\n", encoding="utf-8")
    extra = [str(tmp_path / e) if e.endswith(".yaml") else e for e in extra]
    out = tmp_path / "mc.zip"
    code, _out, err = run_main(["brightway", "datapackage", str(out), "--seed", "42", *extra], capsys)
    assert code == 2 and "seed is used only with samples" in err and "--samples" in err and "Traceback" not in err
    assert not out.exists()
    with pytest.raises(UsageError, match="seed is used only with samples"):
        write_datapackage(tmp_path / "lib.zip", seed=42)
    assert not (tmp_path / "lib.zip").exists()


def test_cli_datapackage_refuses_a_negative_seed_without_a_traceback(tmp_path, capsys):
    out = tmp_path / "mc.zip"
    code, _out, err = run_main(["brightway", "datapackage", str(out), "--samples", "3", "--seed", "-1"], capsys)
    assert code == 2 and "--seed" in err and "Traceback" not in err
    assert not out.exists()


# ---------------------------------------------------------------------------
# crosscheck


@pytest.mark.parametrize("rtol", [float("nan"), float("inf"), -1.0, "1e-9", True])
def test_crosscheck_tolerance_must_be_a_finite_number_of_zero_or_more(chain, rtol):
    with pytest.raises(UsageError, match=r"rtol must be a finite number, 0 or more, got"):
        crosscheck(chain, {"c": 1.0}, methods=[], rtol=rtol)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: crosscheck(m, None), r"demand must be a mapping of product or dataset id to amount, got NoneType"),
        (lambda m: crosscheck(m, "c"), r"demand must be a mapping of product or dataset id to amount, got str"),
        (lambda m: crosscheck_many(m, {"c": 1.0}), r"demands must be a list of mappings \{id: amount\}, got dict"),
        (lambda m: crosscheck(m, {"c": 1.0}, methods="ced"), r"methods must be a list of method ids, got the string"),
        (lambda m: crosscheck(None, {"c": 1.0}), r"model must be an LCAModel, got None \(NoneType\)"),
        (
            lambda m: crosscheck(m, {"c": 1.0}, parameters="b_per_c=2"),
            r"parameters must be a mapping of parameter name to value, got str",
        ),
    ],
)
def test_crosscheck_arguments_of_the_wrong_type(chain, call, message):
    with pytest.raises(UsageError, match=message):
        call(chain)


def test_a_valid_crosscheck_still_passes_and_a_tight_zero_tolerance_is_allowed(chain, test_gwp):
    # chain.yaml by hand: GWP of 1 kg C = 0.506 + 30 * 6e-5 = 0.5078 (see its description)
    report = crosscheck(chain, {"c": 1.0}, methods=[test_gwp], rtol=1e-9)
    assert report.ours["test-gwp"] == pytest.approx(0.5078, rel=1e-12)
    assert report.bw2calc["test-gwp"] == pytest.approx(0.5078, rel=1e-9)
    assert crosscheck(chain, {"c": 1.0}, methods=[test_gwp], rtol=0.0, raise_on_mismatch=False).ours == report.ours


# ---------------------------------------------------------------------------
# links


def test_the_export_journal_is_not_written_through_a_planted_link(bd, tmp_path, chain, test_gwp):
    from cathode_lca.brightway.staging import _journal_path

    victim = tmp_path / "victim.txt"
    victim.write_text("the user's file")
    journal = _journal_path(bd, "p")
    journal.with_name(journal.name + ".tmp").symlink_to(victim)  # the name the journal was first written to
    export_to_brightway("p", chain, methods=[test_gwp])
    assert victim.read_text() == "the user's file"
    assert "p" in projects(bd) and not journal.exists()


def test_a_datapackage_is_not_written_through_a_link(tmp_path):
    victim = tmp_path / "victim.zip"
    victim.write_bytes(b"the user's file")
    (tmp_path / "out.zip").symlink_to(victim)
    for overwrite in (False, True):
        with pytest.raises(CathodeLCAError, match="link"):
            write_datapackage(tmp_path / "out.zip", overwrite=overwrite)
    assert victim.read_bytes() == b"the user's file"


# ---------------------------------------------------------------------------
# mapping file values


MAPPING = """format: cathode-lca-background-mapping/1
datasets:
  sulfuric-acid-greet2022:
    name: market for sulfuric acid
    location: RoW
    convert: {dataset_convert}
flows:
  energy-primary-coal:
    - {{name: "Coal, hard", categories: [natural resource, in ground], unit: kg, convert: {flow_convert}}}
  water-consumption:
    - {{name: "Water", categories: [water], factor: -1}}
"""


@pytest.mark.parametrize(
    ("dataset_convert", "flow_convert", "field"),
    [(-1.0, 19.1, "datasets.sulfuric-acid-greet2022.convert"), (1.0, -19.1, "flows.energy-primary-coal.convert")],
)
def test_a_negative_unit_conversion_in_a_mapping_is_refused(tmp_path, dataset_convert, flow_convert, field):
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING.format(dataset_convert=dataset_convert, flow_convert=flow_convert))
    with pytest.raises(InventoryError, match=r"must be a positive number") as info:
        load_mapping(path)
    assert info.value.field == field and info.value.file == str(path)


def test_a_negative_flow_factor_stays_allowed(tmp_path):
    # released water counts negative in water consumption (docs/brightway.md): a sign, not a unit
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING.format(dataset_convert=1.0, flow_convert=19.1))
    mapping = load_mapping(path)
    assert [f.factor for f in mapping.flows if f.flow == "water-consumption"] == [-1.0]
    assert mapping.datasets["sulfuric-acid-greet2022"].convert == 1.0


# ---------------------------------------------------------------------------
# names that collide with the export's own


def test_a_project_named_like_a_staging_copy_is_refused_so_no_later_export_deletes_it(bd, chain, test_gwp):
    # seen: the export to 'x (cathode-lca export in progress)' succeeded; the next export to 'x'
    # took it for its own killed build and deleted it ("removed the unfinished export to 'x'")
    name = "x (cathode-lca export in progress)"
    with pytest.raises(UsageError, match=r"ends with ' \(cathode-lca export in progress\)'"):
        export_to_brightway(name, chain, methods=[test_gwp])
    with pytest.raises(UsageError, match=r"ends with ' \(cathode-lca export in progress\)'"):
        recover(name)
    assert name not in projects(bd)


@pytest.mark.parametrize("suffix", ["biosphere", "background", "foreground"])
def test_the_biosphere_to_link_to_cannot_be_one_of_the_exports_own_databases(suffix):
    with pytest.raises(
        UsageError, match=rf"biosphere 'cathode-lca {suffix}' is one of the databases this export writes"
    ):
        plan_export(biosphere=f"cathode-lca {suffix}")
    with pytest.raises(UsageError, match=rf"biosphere 'mine {suffix}' is one of the databases this export writes"):
        plan_export(prefix="mine", biosphere=f"mine {suffix}")


@pytest.mark.parametrize("exact", ["'no'", "'false'", "1", "[]"])
def test_exact_in_a_mapping_must_be_true_or_false(tmp_path, exact):
    # seen: exact: 'no' was bool('no') = True, an exact match where the user asked for a prefix match
    path = tmp_path / "m.yaml"
    path.write_text(
        "format: cathode-lca-background-mapping/1\nflows:\n  water-consumption:\n"
        f"    - {{name: Water, categories: [water], factor: -1, exact: {exact}}}\n"
    )
    with pytest.raises(InventoryError, match=r"'exact' must be true or false") as info:
        load_mapping(path)
    assert info.value.line == 4 and info.value.field == "flows.water-consumption"


def test_exact_true_and_false_still_load(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(
        "format: cathode-lca-background-mapping/1\nflows:\n  water-consumption:\n"
        "    - {name: Water, categories: [water], factor: -1, exact: true}\n"
        "    - {name: Water, categories: [water, surface water], factor: -1, exact: false}\n"
    )
    assert [f.exact for f in load_mapping(path).flows] == [True, False]


# ---------------------------------------------------------------------------
# recalculate(): a dataset's own parameter, edited in the project


SHARE = """format: cathode-lca/1
include: [flows.yaml]
datasets:
  - id: c
    name: product C
    stage: cam-production
    element_balance: {skip: test}
    parameters:
      a_share: {kind: fraction, value: 0.5, unit: kg/kg, source: test}
    exchanges:
      - {input: a, amount: 4 * a_share, unit: kg, source: test}
  - id: a
    name: material A
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 1, unit: kg, source: test}
"""


@pytest.mark.parametrize("value", [1.5, -0.25])
def test_recalculate_refuses_a_value_of_an_activity_parameter_outside_its_bounds(bd, tmp_path, test_gwp, value):
    # seen: only project and database parameters were checked; a dataset's fraction set to 1.5 in
    # the Activity Browser recalculated to 4 * 1.5 = 6 kg of A
    from bw2data.backends import ExchangeDataset
    from bw2data.parameters import ActivityParameter

    from cathode_lca.brightway.project import recalculate

    (tmp_path / "flows.yaml").write_text((DATA / "flows.yaml").read_text())
    (tmp_path / "share.yaml").write_text(SHARE)
    export_to_brightway("share", LCAModel(load_inventory([tmp_path / "share.yaml"])), methods=[test_gwp])
    bd.projects.set_current("share")
    before = {e.id: e.data.get("amount") for e in ExchangeDataset.select()}
    assert 2.0 in before.values()  # 4 * 0.5 kg of A
    share = ActivityParameter.get(name="c__a_share")
    assert share.data["cathode-lca bounds"] == [0.0, 1.0]
    share.amount = value
    share.save()
    with pytest.raises(ParameterError, match=r"ActivityParameter 'c__a_share'.* outside its declared bounds \[0, 1\]"):
        recalculate()
    assert {e.id: e.data.get("amount") for e in ExchangeDataset.select()} == before


# ---------------------------------------------------------------------------
# names too long for a file name


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [({"project": "p" * 300}, "project"), ({"project": "日本" * 60}, "project"), ({"prefix": "x" * 300}, "prefix")],
)
def test_a_name_too_long_for_brightways_file_names_is_refused_before_writing(bd, chain, test_gwp, kwargs, argument):
    # seen: project 'p' * 300 -> OSError 'File name too long' (a traceback on the command line);
    # prefix 'x' * 300 -> sqlite3 'unable to open database file'. 日本 is 6 bytes in UTF-8.
    kwargs = {"project": "p", **kwargs}
    before = projects(bd)
    with pytest.raises(UsageError, match=rf"{argument} .* is too long for Brightway's file names"):
        export_to_brightway(model=chain, methods=[test_gwp], **kwargs)
    assert projects(bd) == before


def test_a_long_name_within_the_limit_still_exports(bd, chain, test_gwp):
    # 180 plain characters: the staging folder is 180 + 31 ('-cathode-lca-export-in-progress') + 33 (hash) = 244 bytes
    report = export_to_brightway("p" * 180, chain, methods=[test_gwp], prefix="y" * 150)
    assert report.project in projects(bd)


@pytest.mark.parametrize(
    "text",
    [
        "format: cathode-lca-background-mapping/1\n",
        "format: cathode-lca-background-mapping/1\ndatasets: {}\nflows: {}\n",
        "format: cathode-lca-background-mapping/1\ndescription: my mapping\ndatasets:\n",
    ],
    ids=["only a format", "empty sections", "an empty datasets key"],
)
def test_a_mapping_that_maps_nothing_is_refused(tmp_path, text):
    # seen: accepted; every dataset then fell back or was unmapped, and the user's database was never used
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(InventoryError, match="maps no dataset and no flow") as info:
        load_mapping(path)
    assert info.value.file == str(path) and info.value.hint


def test_an_ignored_flow_needs_a_reason(tmp_path):
    # an ignored flow leaves every result that would carry it: like a fallback, it must say why
    path = tmp_path / "m.yaml"
    path.write_text(
        "format: cathode-lca-background-mapping/1\nflows:\n  water-consumption:\n"
        "    - {name: Water, categories: [water], factor: -1}\n"
        "ignore:\n  - {name: Water, categories: [air], reason: evaporation}\n  - {name: 'Water, salt, ocean'}\n"
    )
    with pytest.raises(InventoryError, match=r"ignored flow 'Water, salt, ocean' needs a 'reason:' text") as info:
        load_mapping(path)
    assert info.value.line == 7 and info.value.field == "ignore"
    path.write_text(
        path.read_text().replace("{name: 'Water, salt, ocean'}", "{name: 'Water, salt, ocean', reason: sea}")
    )
    assert [f.reason for f in load_mapping(path).ignore] == ["evaporation", "sea"]


@pytest.mark.parametrize("make", ["missing", "file"])
def test_brightway2_dir_that_is_not_a_folder_is_a_usage_error(tmp_path, make):
    """``BRIGHTWAY2_DIR`` naming a missing folder (a typo) or a file: bw2data raised OSError at import, and
    ``cathode-lca brightway export`` printed a traceback with exit code 1. Now: exit 2, a message naming the
    variable and the path, and nothing created there. A fresh process, since bw2data reads the variable once,
    when it is first imported."""
    import os
    import subprocess
    import sys

    target = tmp_path / "no-such-folder"
    if make == "file":
        target.write_text("not a folder")
    env = dict(os.environ, BRIGHTWAY2_DIR=str(target), PYTHONPATH=str(Path(__file__).parent.parent / "src"))
    result = subprocess.run(
        [sys.executable, "-m", "cathode_lca.cli", "brightway", "export", "--project", "cathode"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"BRIGHTWAY2_DIR is '{target}', which is not a folder" in result.stderr
    assert target.exists() == (make == "file")
