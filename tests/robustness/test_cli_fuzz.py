"""CLI options that must fail cleanly before any work, and fuzzing of the YAML loader and the CLI.

"Clean" means: a :class:`CathodeLCAError` or a click usage error, which ``main`` turns into a
one-paragraph message and exit code 2; never another exception (a traceback).
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cathode_lca._yaml import load_yaml_text
from cathode_lca.cli import checks as cli_checks
from cathode_lca.cli import cli, main
from cathode_lca.cli import model as model_commands
from cathode_lca.cli import options as cli_options
from cathode_lca.cli import uncertainty as uncertainty_commands
from cathode_lca.errors import CathodeLCAError, LimitError, ParameterError, UsageError
from cathode_lca.inventory.load import load_inventory


def run_main(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    captured = capsys.readouterr()
    return info.value.code, captured.err


@pytest.fixture
def no_compute(monkeypatch):
    """Any option check below must fire before a model is built or a Monte Carlo run starts."""

    def fail(*args, **kwargs):
        raise AssertionError("work started before the options were checked")

    # patched where the commands look the names up: cli.model.scenario_model builds every command's model,
    # chunked runs without scenarios build theirs in cli.uncertainty
    monkeypatch.setattr(model_commands, "model_with_background", fail)
    monkeypatch.setattr(uncertainty_commands, "model_with_background", fail)
    monkeypatch.setattr(uncertainty_commands, "_chunked_model", fail)


@pytest.mark.parametrize(
    "args, message",
    [
        (["compute", "x", "--param", "a=1", "--param", "a=2"], "--param a is given more than once"),
        (["compute", "x", "--param", "a=nan"], "not a finite number"),
        (["compute", "x", "--param", "a=inf"], "not a finite number"),
        (["compute", "x", "--param", "a=1e400"], "not a finite number"),
        (["compute", "x", "--amount", "nan"], "not a finite number"),
        (["compute", "x", "--amount", "0"], "--amount must be positive (got 0)"),
        (["compute", "x", "--amount", "-2.5"], "--amount must be positive (got -2.5)"),
        (["uncertainty", "NMC811", "--seed", "-1"], "--seed"),
        (["sensitivity", "NMC811", "--seed", "-1"], "--seed"),
        (["uncertainty", "NMC811", "--scheduler", "bogus"], "unknown --scheduler 'bogus'"),
        (["sweep", "NMC811", "--grid", "a=1,2", "--scheduler", "bogus"], "unknown --scheduler"),
        (["uncertainty", "NMC811", "--vary", "X=uniform:0.9:inf"], "not a finite number"),
        (["uncertainty", "NMC811", "--vary", "X=normal:nan:1"], "not a finite number"),
        (["uncertainty", "NMC811", "--vary", "X=uniform:0:1", "--vary", "X=uniform:0:2"], "more than once"),
        (["sensitivity", "NMC811", "--vary", "X=uniform:0.9:inf"], "not a finite number"),
        (["sweep", "NMC811", "--grid", "a=1,nan"], "not a finite number"),
        # an empty value was dropped without a word: 0.9,,0.95 swept two values where the user typed three
        (["sweep", "NMC811", "--grid", "a=0.9,,0.95"], "--grid 'a=0.9,,0.95' has an empty value"),
        (["sweep", "NMC811", "--grid", "a=0.9,0.95,"], "--grid 'a=0.9,0.95,' has an empty value"),
        (["uncertainty", "NMC811", "--samples", "1000000000000"], "memory"),
        (["uncertainty", "NMC811", "--samples", "0"], "at least 2"),
        (["uncertainty", "NMC811", "--samples", "-5"], "at least 2"),
        (["uncertainty", "NMC811", "--chunk-size", "0"], "--chunk-size"),
        (["sensitivity", "NMC811", "--samples", "1000000000000000"], "memory"),
    ],
)
def test_bad_options_exit_2_before_any_work(args, message, capsys, no_compute):
    code, err = run_main(args, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_memory_check_compares_with_the_machine(monkeypatch):
    monkeypatch.setattr(cli_checks, "available_memory", lambda: 10 * 2**30)
    cli_checks.check_samples(1_000_000, minimum=2, bytes_per_sample=100)  # 0.1 GB of 10 GB: fine
    with pytest.raises(LimitError, match="needs about 93.1 GiB of memory; this machine has 10.0 GiB"):
        cli_checks.check_samples(10**9, minimum=2, bytes_per_sample=100)


@pytest.mark.parametrize("address", ["threads", "processes", "tcp://127.0.0.1:8786", "localhost:8786", None])
def test_known_schedulers_pass(address):
    cli_checks.check_scheduler(address)


def test_parameter_bound_errors_are_clean(capsys, monkeypatch):
    # whatever the engine refuses (bounds, unknown names) reaches the user as exit 2 with the message
    def refuse(*args, **kwargs):
        raise ParameterError("value 1.5 of 'hydro_recovery_ni' is above its maximum 1", hint="give 0 to 1")

    monkeypatch.setattr(model_commands, "model_with_background", refuse)
    code, err = run_main(["compute", "x", "--param", "hydro_recovery_ni=1.5"], capsys)
    assert code == 2 and "above its maximum" in err


# ---------------------------------------------------------------------------
# fuzzing

FRAGMENTS = [
    "datasets:\n",
    "parameters:\n",
    "flows:\n",
    "overrides:\n",
    "  - id: x\n",
    "    name: X\n",
    "    stage: c\n",
    "    exchanges:\n",
    "      - {flow: co2, amount: ",
    "1",
    ".nan",
    "-.inf",
    "1e400",
    '"nan"',
    "true",
    "9" * 400,
    ", unit: kg, source: s}\n",
    "  k: {value: 1, source: s}\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "!cite x",
    "2023-13-45",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "\n",
    "  ",
    "\t",
    '"',
    "'",
    "\x00",
    "\ufeff",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "? ",
    "|\n",
    "include: [flows.yaml]\n",
    "include: [/dev/zero]\n",
    "format: cathode-lca/1\n",
]

yaml_texts = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join),
    st.text(max_size=200),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=yaml_texts)
def test_fuzzed_yaml_never_gives_a_traceback(text):
    try:
        load_yaml_text(text, "fuzz.yaml")
    except CathodeLCAError as exc:
        assert exc.file == "fuzz.yaml" and exc.message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=yaml_texts)
def test_fuzzed_inventory_files_load_or_fail_cleanly(write_yaml, text):
    path = write_yaml(text, "fuzz.yaml")
    try:
        load_inventory([path], cache=False)
    except CathodeLCAError as exc:
        assert exc.message and (exc.file is None or "fuzz.yaml" in exc.file or "flows.yaml" in exc.file)


NUMBERS = st.sampled_from(["1", "0", "-1", "nan", "inf", "-inf", "1e400", "9" * 400, "0.5", "x", "", "1e-400"])
OPTION = st.one_of(
    st.tuples(st.just("--param"), st.builds("{}={}".format, st.sampled_from(["b_per_c", "x", "", "a b"]), NUMBERS)),
    st.tuples(st.just("--amount"), NUMBERS),
    st.tuples(st.just("--format"), st.sampled_from(["json", "csv", "table", "xml"])),
    st.tuples(st.just("--allocation"), st.sampled_from(["none", "mass", "bogus"])),
    st.tuples(st.just("--method"), st.sampled_from(["test-gwp", "nope"])),
    st.tuples(st.just("--inventory"), st.sampled_from(["/dev/zero", "/nonexistent.yaml"])),
    st.tuples(st.just("--out"), st.sampled_from(["/dev/null", "/nonexistent/dir/out.json"])),
    st.text(max_size=12).map(lambda t: (t,)),
)


@settings(max_examples=40, deadline=None)
@given(options=st.lists(OPTION, max_size=4), dataset=st.sampled_from(["c", "nope", "", "--help"]))
@pytest.mark.slow
def test_fuzzed_cli_arguments_exit_0_or_2_with_a_message(options, dataset):
    args = ["compute", dataset, *[part for option in options for part in option]]
    result = CliRunner().invoke(cli, args, standalone_mode=False, catch_exceptions=True)
    exc = result.exception
    if exc is None or (isinstance(exc, SystemExit) and exc.code in (0, None)):
        return
    # main() maps exactly these to exit 2 with their message; anything else would be a traceback
    assert isinstance(exc, (CathodeLCAError, click.ClickException)), f"{args!r} raised {exc!r}"
    message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
    assert message.strip()


def test_main_maps_user_errors_to_exit_2(capsys):
    code, err = run_main(["compute", "c", "--param", "b_per_c=1", "--param", "b_per_c=2"], capsys)
    assert code == 2 and err.startswith("Error: ") and err[-1] == "\n" and err.count("\n") == 1
    with pytest.raises(UsageError):
        cli_options.parse_params(["a=1", "a=1"])


def test_a_value_that_is_not_a_number_is_named_not_shown_as_a_numpy_array(capsys):
    """--grid hydro_recovery_ni=0.9:1:0 (a range syntax the CLI does not have) printed
    "is not a number: array(['0.9:1:0'], dtype=object)"; the message now names the value itself."""
    code, err = run_main(["sweep", "NMC811", "--grid", "hydro_recovery_ni=0.95,0.9:1:0"], capsys)
    assert code == 2 and "Traceback" not in err
    assert "value for 'hydro_recovery_ni' is not a number: '0.9:1:0'" in err and "array(" not in err
