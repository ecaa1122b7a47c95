"""Every docstring example in the package runs and shows what the code gives (examples must run in CI)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cathode_lca

MODULES = sorted(m.name for m in pkgutil.walk_packages(cathode_lca.__path__, "cathode_lca."))


@pytest.mark.slow  # 124 modules, ~7 s together: in the CI run, kept out of the one-minute fast core
@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_of(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, report=True, verbose=False, optionflags=doctest.ELLIPSIS)  # as pytest's default
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see the output)"
