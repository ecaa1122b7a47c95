"""openLCA JSON-LD export: read back with olca-schema and recomputed independently (issue 17)."""

from __future__ import annotations

import numpy as np
import olca_schema as olca  # the exchange extra, in the test extra through [all]
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from click.testing import CliRunner

from cathode_lca.cli import cli, main
from cathode_lca.exchange.olca import olca_id
from cathode_lca.lca import LCAModel


def lca_from_zip(path, process_id: str, category_name: str) -> float:
    """Score of one unit of *process_id*'s reference product, from the zip alone (no cathode-lca code)."""
    import olca_schema.zipio as zipio

    reader = zipio.ZipReader(str(path))
    processes = [reader.read_process(i) for i in reader.ids_of(olca.Process)]
    col = {p.id: j for j, p in enumerate(processes)}
    ref_flow = {}
    rows, cols, vals = [], [], []
    brow: dict[str, int] = {}
    b_r, b_c, b_v = [], [], []
    elementary = {i for i in reader.ids_of(olca.Flow) if reader.read_flow(i).flow_type == olca.FlowType.ELEMENTARY_FLOW}
    for p in processes:
        j = col[p.id]
        ref = next(e for e in p.exchanges if e.is_quantitative_reference)
        ref_flow[p.id] = ref.amount
        rows.append(j), cols.append(j), vals.append(ref.amount)
        for e in p.exchanges:
            if e.is_quantitative_reference or not e.amount:
                continue
            if e.flow.id in elementary:
                i = brow.setdefault(e.flow.id, len(brow))
                b_r.append(i), b_c.append(j), b_v.append(-e.amount if e.is_input else e.amount)
            elif e.is_input:
                rows.append(col[e.default_provider.id]), cols.append(j), vals.append(-e.amount)
            # a product output besides the reference: a co-product, burden-free under allocation 'none'
    n = len(processes)
    A = sp.csc_matrix((vals, (rows, cols)), shape=(n, n))
    B = sp.csc_matrix((b_v, (b_r, b_c)), shape=(len(brow), n))
    f = np.zeros(n)
    f[col[process_id]] = ref_flow[process_id]
    s = spla.spsolve(A, f)
    g = B @ s
    category = next(
        reader.read_impact_category(i)
        for i in reader.ids_of(olca.ImpactCategory)
        if reader.read_impact_category(i).name == category_name
    )
    cf = np.zeros(len(brow))
    for factor in category.impact_factors:
        if factor.flow.id in brow:
            cf[brow[factor.flow.id]] = factor.value
    return float(cf @ g) / ref_flow[process_id]


@pytest.mark.slow
def test_olca_zip_recomputes_to_our_result(tmp_path):
    out = tmp_path / "all.zip"
    result = CliRunner().invoke(cli, ["exchange", "olca", "--out", str(out), "--param", "plant_region=CN"])
    assert result.exit_code == 0, result.output
    model = LCAModel()
    from cathode_lca.methods import load_method

    method = load_method("ipcc2021-gwp100")
    for dataset in ("cam-nmc811-virgin", "nickel-sulfate-greet2022", "electricity-plant"):
        ours = float(
            model.calculate({dataset: 1.0}, methods=[method.id], parameters={"plant_region": "CN"}).score.sel(
                lcia_method=method.id
            )
        )
        theirs = lca_from_zip(out, olca_id("process", dataset), method.name)
        assert theirs == pytest.approx(ours, rel=1e-9), dataset


def test_olca_export_never_overwrites_and_reads_back(tmp_path, capsys):
    import olca_schema.zipio as zipio

    out = tmp_path / "f.zip"
    out.write_text("mine")
    with pytest.raises(SystemExit) as info:
        main(["exchange", "olca", "--out", str(out)])
    assert info.value.code == 2 and "already exists" in capsys.readouterr().err
    assert out.read_text() == "mine"
    out.unlink()
    main_ok = CliRunner().invoke(cli, ["exchange", "olca", "--out", str(out)])
    assert main_ok.exit_code == 0, main_ok.output
    reader = zipio.ZipReader(str(out))
    model = LCAModel()
    assert len(reader.ids_of(olca.Process)) == len(model.inventory.datasets)
    p = reader.read_process(olca_id("process", "cam-nmc811-virgin"))
    lioh = next(e for e in p.exchanges if "lithium hydroxide" in e.flow.name)
    assert lioh.is_input and lioh.amount == pytest.approx(0.2462) and lioh.unit.name == "kg"
