"""Small Monte Carlo runs (numpy path): the inputs in the order the compiled kernel shares, without importing it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cathode_lca.lca import default_model
from cathode_lca.uncertainty import monte_carlo as mc
from cathode_lca.uncertainty.inputs import input_distributions


def test_the_numpy_path_draws_every_default_input_in_the_shared_order(monkeypatch):
    # both paths read uncertainty.inputs.input_distributions: parameters in spec order, then exchanges sorted
    seen = []
    original = mc.run_numpy

    def spy(model, spec, samples, bar=None, keep=0):
        seen.append((model, spec))
        return original(model, spec, samples, bar, keep)

    monkeypatch.setattr(mc, "run_numpy", spy)
    ds = mc.monte_carlo("NMC811", samples=8, seed=3, model=default_model(), kernel="numpy")
    model, spec = seen[0]
    keys = [k for k, _ in input_distributions(model, spec)]
    assert keys == list(spec.uncertain) + sorted(spec.exchange_distributions)
    assert len(keys) > 100  # defaults on
    assert ds.attrs["kernel"] == "numpy (asked for)"


def test_a_parameter_without_distribution_is_refused_by_name():
    spec = mc.RunSpec(
        "NMC811", ("virgin",), "US", "none", "kg-cam", ("gwp100",), {}, ("no_such_distribution",), 1, 10, (), {}, {}
    )

    class Parameters:
        @staticmethod
        def distribution(key):
            return None

    class Model:
        parameters = Parameters()

    with pytest.raises(ValueError, match="'no_such_distribution' is varied but has no distribution"):
        input_distributions(Model(), spec)


@pytest.mark.slow
def test_a_small_run_does_not_import_the_compiled_kernel():
    code = (
        "import sys\n"
        "from cathode_lca.uncertainty.monte_carlo import monte_carlo\n"
        "ds = monte_carlo('NMC811', samples=20, seed=1)\n"
        "print(ds.attrs['kernel'].split(' (')[0], 'cathode_lca.uncertainty.kernel' in sys.modules,\n"
        "      'scipy.special' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["numpy", "False", "False"]  # nor scipy.special (AS 241 in numpy: uncertainty.normal)
