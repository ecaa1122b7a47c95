"""The catalogue of routes, chemistries and salts: derived from the data, catalogue.yaml checked with lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cathode_lca.catalogue import build_catalogue, catalogue_of, load_settings, suggest
from cathode_lca.cli import cli
from cathode_lca.errors import InventoryError, UsageError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.resources import inventories_dir

ROOT = Path(__file__).resolve().parents[1]

#: A recycling route in a user file: only its treatment dataset (it takes the shipped black mass).
TMP_ROUTE = """\
format: cathode-lca/1
datasets:
  - id: recycling-tmp-route
    name: a test route
    stage: recycling-recovery
    unit: kg
    source: test
    exchanges:
      - {input: black-mass, amount: 1, unit: kg, source: test}
"""


def test_shipped_catalogue_known_answers():
    cat = catalogue_of(default_model())
    assert cat.route_ids == ("virgin", "hydrometallurgical", "pyrometallurgical", "direct")
    assert cat.recycling_routes == ("hydrometallurgical", "pyrometallurgical", "direct")
    # direct makes CAM, no salt: not an end-of-life route of the passport
    assert cat.eol_routes == ("hydrometallurgical", "pyrometallurgical")
    # recycling-hydrometallurgical and recycling-direct consume black mass; pyro takes the feed itself
    assert cat.black_mass_routes == ("hydrometallurgical", "direct")
    assert cat.routes["pyrometallurgical"].salts == ("nickel-sulfate", "cobalt-sulfate")
    assert cat.metal_salt == {"Ni": "nickel-sulfate", "Co": "cobalt-sulfate", "Mn": "manganese-sulfate"}
    assert cat.salts_of("Li") == ("lithium-carbonate", "lithium-hydroxide")
    assert [c.name for c in cat.chemistries.values()] == ["NMC111", "NMC532", "NMC622", "NMC811", "NCA", "LFP"]
    assert cat.chemistry("nca").elements == ("Ni", "Co", "Li")
    assert cat.chemistry("LFP").routes == ("virgin", "direct")


@pytest.mark.parametrize(
    ("chemistry", "salt"),
    # EverBatt 2023 'Cath. Prod. Par.' row 29/30: Li2CO3 for NMC111/532/622, LiOH for NMC811, NCA, LFP
    [
        ("nmc111", "lithium-carbonate"),
        ("nmc532", "lithium-carbonate"),
        ("nmc622", "lithium-carbonate"),
        ("nmc811", "lithium-hydroxide"),
        ("nca", "lithium-hydroxide"),
        ("lfp", "lithium-hydroxide"),
    ],
)
def test_lithium_salt_is_the_one_the_cam_recipe_consumes(chemistry, salt):
    model = default_model()
    env = model.parameters.evaluate()
    assert catalogue_of(model).salt_for(model, "Li", chemistry, env) == salt
    # the rule before the catalogue: LiOH when the recipe parameter cathode_lioh_<chem> is positive
    assert (salt == "lithium-hydroxide") == (float(np.ravel(env[f"cathode_lioh_{chemistry}"])[0]) > 0)


@pytest.mark.slow  # builds a model with an extra file (about 3-4 s)
def test_a_dataset_added_in_a_user_file_adds_a_route(tmp_path):
    extra = tmp_path / "route.yaml"
    extra.write_text(TMP_ROUTE)
    cat = build_catalogue(LCAModel(extra=[extra]))
    assert cat.route_ids[-1] == "tmp-route"
    route = cat.route("tmp-route")
    assert route.recycling and route.black_mass and route.salts == () and route.name == "tmp-route"
    assert "tmp-route" not in cat.eol_routes  # no salt: it cannot treat a battery at end of life
    assert "tmp-route" not in catalogue_of(default_model()).routes


#: An unlisted chemistry and an unlisted salt: the catalogue takes them from the names and element contents.
TMP_CHEMISTRY_AND_SALT = (
    TMP_ROUTE
    + """\
  - id: cam-xyz-virgin
    name: a test chemistry
    stage: cam-production
    element_balance: {skip: test}
    unit: kg
    source: test
    products:
      - {id: cam-xyz-virgin, amount: 1, unit: kg, reference: true, source: test, properties: {Li: 0.07, Ni: 0}}
    exchanges:
      - {input: lithium-hydroxide-virgin, amount: 0.3, unit: kg, source: test}
  - id: nickel-nitrate-virgin
    name: a test salt
    stage: chemicals
    unit: kg
    source: test
    products:
      - {id: nickel-nitrate-virgin, amount: 1, unit: kg, reference: true, source: test, properties: {Ni: 0.32}}
    exchanges:
      - {input: nickel-sulfate-virgin, amount: 1, unit: kg, source: test}
  - id: nickel-nitrate-recycled-tmp-route
    name: a test recycled salt
    stage: materials-conversion
    element_balance: {skip: test}
    unit: kg
    source: test
    products:
      - {id: nickel-nitrate-recycled-tmp-route, amount: 1, unit: kg, reference: true, source: test, properties: {Ni: 0.32}}
    exchanges:
      - {input: recycling-tmp-route, amount: 1, unit: kg, source: test}
"""
)


@pytest.mark.slow  # builds a model with an extra file (about 3-4 s)
def test_an_unlisted_chemistry_and_salt_come_from_names_and_contents(tmp_path):
    extra = tmp_path / "more.yaml"
    extra.write_text(TMP_CHEMISTRY_AND_SALT)
    model = LCAModel(extra=[extra])
    cat = build_catalogue(model)
    xyz = cat.chemistry("XYZ")
    assert (xyz.key, xyz.name, xyz.elements, xyz.routes) == ("xyz", "XYZ", ("Li",), ("virgin",))
    assert cat.salt_metal["nickel-nitrate"] == "Ni"
    assert cat.route("tmp-route").salts == ("nickel-nitrate",) and "tmp-route" in cat.eol_routes
    # Ni now has two salts: the chemistry's recipe decides, as for lithium
    assert "Ni" not in cat.metal_salt and cat.salts_of("Ni") == ("nickel-sulfate", "nickel-nitrate")
    assert cat.salt_for(model, "Li", "xyz", model.parameters.evaluate()) == "lithium-hydroxide"


@pytest.mark.slow  # builds a model with an extra file (about 3-4 s)
def test_the_example_route_brings_its_salts():
    cat = catalogue_of(LCAModel(extra=[ROOT / "examples/new-route/solvent-extraction.yaml"]))
    route = cat.route("solvent-extraction")
    assert route.salts == ("nickel-sulfate", "cobalt-sulfate") and route.black_mass
    assert cat.eol_routes == ("hydrometallurgical", "pyrometallurgical", "solvent-extraction")


def test_catalogue_yaml_in_an_inventory_folder_is_not_read_as_datasets(tmp_path):
    shutil.copy(inventories_dir() / "catalogue.yaml", tmp_path / "catalogue.yaml")
    (tmp_path / "flows.yaml").write_text((ROOT / "tests/data/flows.yaml").read_text())
    (tmp_path / "chain.yaml").write_text((ROOT / "tests/data/chain.yaml").read_text())
    inv = load_inventory([tmp_path])
    assert set(inv.datasets) == {"a", "b", "c", "e"}


def test_unknown_names_get_the_closest_one():
    cat = catalogue_of(default_model())
    with pytest.raises(UsageError, match="unknown route 'hydro'") as err:
        cat.route("hydro")
    assert "did you mean 'hydrometallurgical'?" in str(err.value.hint)
    assert cat.check_routes(["Direct", "virgin", "direct"]) == ["direct", "virgin"]
    with pytest.raises(UsageError, match="did you mean 'NMC811'"):
        cat.chemistry("NMC812")
    assert suggest("pyrometalurgical", cat.route_ids).startswith("did you mean 'pyrometallurgical'?")
    assert suggest("zzz", ["a", "b"]) == "choose one of: a, b"


def test_cli_refuses_an_unknown_route_with_a_suggestion():
    result = CliRunner().invoke(cli, ["compare", "NMC811", "--route", "pyrometalurgical"])
    assert result.exit_code == 2
    assert "unknown route 'pyrometalurgical'" in result.output
    assert "did you mean 'pyrometallurgical'?" in result.output


SHIPPED = (inventories_dir() / "catalogue.yaml").read_text()


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("format: cathode-lca-catalogue/1", "format: cathode-lca-catalogue/9", "format", "format must be"),
        ("route_stage: recycling-recovery", "route_stages: recycling-recovery", "route_stages", "did you mean"),
        ("nca: {name: NCA, elements: [Ni, Co, Li]", "nca: {name: NCA, elements: [Ni, Co, Lx]", "chemistries.nca", "Lx"),
        ("lithium-hydroxide: {metal: Li}", "lithium-hydroxide: {metal: Lithium}", "salts.lithium-hydroxide.metal", ""),
        ("direct: {name: ", "direct: {title: ", "routes.direct.name", "non-empty text"),
        ("  Mn: manganese_sulfate_route", "  Mn: 3", "virgin_route_parameters.Mn", "parameter name"),
    ],
)
def test_catalogue_yaml_errors_name_file_line_and_field(tmp_path, old, new, field, message):
    assert old in SHIPPED
    text = SHIPPED.replace(old, new)
    path = tmp_path / "catalogue.yaml"
    path.write_text(text)
    with pytest.raises(InventoryError) as err:
        load_settings(path)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if new.split(":")[0].strip() in row and new in row)
    assert err.value.file == str(path) and err.value.line == line
    assert err.value.field is not None and err.value.field.startswith(field)
    assert message in str(err.value)


INPUTS = """format: cathode-lca/1
include: [flows.yaml]
datasets:
  - id: cam-x-virgin
    name: CAM
    stage: cam-production
    products: [{id: cam-x-virgin, amount: 2, unit: kg, reference: true, source: t}]
    exchanges:
      - {input: pcam-x-virgin, amount: 1.6, unit: kg, source: t}
      - {input: salt-b, amount: 500, unit: g, source: t}
  - id: pcam-x-virgin
    name: pCAM
    stage: pcam-production
    products: [{id: pcam-x-virgin, amount: 4, unit: kg, reference: true, source: t}]
    exchanges:
      - {input: salt-a, amount: 6, unit: kg, source: t}
      - {input: salt-b, amount: 1, unit: kg, source: t}
  - {id: salt-a, name: a, stage: chemicals}
  - {id: salt-b, name: b, stage: chemicals}
"""


def test_inputs_per_unit_walks_into_the_pcam_and_converts_units(write_yaml):
    # one look-up for the catalogue's salt choice and the passport's salt inputs per kg CAM, by hand:
    # per kg CAM: 0.8 kg pCAM -> salt-a 0.8 x 6/4 = 1.2 kg, salt-b 0.8 x 1/4 + 0.5 kg / 2 = 0.2 + 0.25 = 0.45 kg
    from cathode_lca.catalogue import inputs_per_unit

    model = LCAModel(load_inventory([write_yaml(INPUTS)]))
    env = model.parameters.evaluate()
    got = inputs_per_unit(model, "cam-x-virgin", env)
    assert set(got) == {"salt-a", "salt-b"}  # the pCAM itself is walked into, not listed
    assert got["salt-a"] == pytest.approx(1.2) and got["salt-b"] == pytest.approx(0.45)
    assert inputs_per_unit(model, "pcam-x-virgin", env) == pytest.approx({"salt-a": 1.5, "salt-b": 0.25})
    assert inputs_per_unit(model, "no-such-dataset", env) == {}
