"""A host application type-checks its calls into ``cathode_lca`` (PEP 561)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_declares_it_is_typed():
    """Without ``py.typed`` mypy treats an installed cathode_lca as untyped and checks no call into it."""
    marker = resources.files("cathode_lca") / "py.typed"
    assert marker.is_file()


@pytest.mark.slow
def test_names_imported_from_the_package_root_keep_their_types(tmp_path):
    """``from cathode_lca import compare`` is the documented import; mypy must see its signature, not Any."""
    from mypy import api

    user = tmp_path / "host.py"
    user.write_text(
        "from cathode_lca import LCAModel, compare, load_method\n"
        "reveal_type(compare)\n"
        "reveal_type(LCAModel)\n"
        "compare(811)\n"
        "reveal_type(compare('NMC811'))\n"
        "reveal_type(LCAModel().calculate({'cam-nmc811-virgin': 1.0}))\n",
        encoding="utf-8",
    )
    stdout, stderr, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--follow-imports=silent", str(user)]
    )
    report = stdout + stderr
    assert 'host.py:2: note: Revealed type is "def (chemistry: str' in report, report
    assert 'host.py:3: note: Revealed type is "def (' in report, report
    assert 'Argument 1 to "compare" has incompatible type "int"' in report, report
    # results are datasets to the type checker, so a host's ds.value.sel(...) is checked too
    assert 'host.py:5: note: Revealed type is "xarray.core.dataset.Dataset"' in report, report
    assert 'host.py:6: note: Revealed type is "xarray.core.dataset.Dataset"' in report, report


def test_dir_of_the_package_lists_its_public_names():
    """Interactive completion (dir) listed none of the lazily imported names, e.g. compare."""
    import cathode_lca

    assert {"LCAModel", "compare", "compute", "CathodeLCAError", "__version__"} <= set(dir(cathode_lca))
    assert set(cathode_lca.__all__) <= set(dir(cathode_lca))
