"""Every example a user is shown runs as written.

Two sources of examples:

* the ``Examples:`` block of every command's ``--help`` (the command docstrings in ``cathode_lca.cli``), found by
  walking the click group, subcommand groups included;
* every ``cathode-lca ...`` line (or ``$ cathode-lca ...``) in a ```bash / ```sh / ```shell / ```console fence of
  README.md, docs/**/*.md and examples/**/*.md, except in a fence whose preceding line is ``<!-- not run: REASON -->``.

Each distinct command line runs once, in process, in a fresh folder holding a copy of ``examples/`` (the files the
examples name keep their relative paths). A file the docs tell the user to write is written from the docs' own
text (``DOC_FILES``); an example whose input only the user can provide (their own file, their Brightway project)
is listed in ``EXPECTED_INPUT`` and must fail with exit code 2 and a message naming that input, never a traceback.
"""

from __future__ import annotations

import logging
import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from conftest import run_main

from cathode_lca.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SHELL_FENCES = {"bash", "sh", "shell", "console"}
NOT_RUN = re.compile(r"^\s*<!--\s*not run:\s*\S.*-->\s*$")

# Examples whose input only the user can provide: the command line -> (the message's part that names it, why).
# Each must exit 2 with a message naming that input, and no traceback.
EXPECTED_INPUT: dict[str, tuple[str, str]] = {
    # the user's own Brightway project holding an ecoinvent import (a licensed database)
    'cathode-lca compute cam-nmc811-virgin --background "brightway:ei/ecoinvent-3.10-cutoff" '
    "--mapping ecoinvent-3.10-cutoff --unmapped fallback": (
        "Brightway project 'ei' does not exist",
        "the user's ecoinvent project",
    ),
    'cathode-lca compute cam-nmc811-virgin --background "brightway:my project/ecoinvent-3.10-cutoff" '
    "--mapping ecoinvent-3.10-cutoff": (
        "Brightway project 'my project' does not exist",
        "the user's ecoinvent project",
    ),
    # the user's own mapping file (it is read before the project is opened)
    'cathode-lca compare NMC811 --background "brightway:my project/ecoinvent-3.10-cutoff" --mapping my-mapping.yaml': (
        "my-mapping.yaml",
        "the user's ecoinvent project and mapping file",
    ),
    "cathode-lca compare NMC811 --background brightway:ei/ecoinvent-3.10-cutoff --mapping ecoinvent-3.10-cutoff": (
        "Brightway project 'ei' does not exist",
        "the user's ecoinvent project",
    ),
    # docs/exchange.md shows supplier.yaml (written from the docs, DOC_FILES); the PACT footprint it points at is
    # the supplier's own file
    "cathode-lca compare NMC811 --scenario supplier.yaml --format json": ("supplier-niso4.json", "a supplier's file"),
}

# Examples documented as failing: the command line -> (the documented exit code, a documented part of the output).
DOCUMENTED_FAILURE: dict[str, tuple[int, str]] = {
    # docs/safety.md: the memory check refuses a run that cannot fit (the figures after it depend on the machine)
    "cathode-lca uncertainty NMC811 --samples 1000000000000": (2, "--samples 1,000,000,000,000 needs about"),
    # docs/scenarios.md, "Checking a file": the example plant's assay breaks the direct route's balances, exit 1
    "cathode-lca validate examples/plants/cn-pyro-hydro-plant.yaml": (1, "FAILED: 4 balance(s), 0 error(s)"),
}

# Files the docs tell the user to write, with the content the docs give them: name -> (doc, text just before the
# ```yaml fence that holds the content).
DOC_FILES: dict[str, tuple[str, str]] = {
    "regions.yaml": ("docs/brightway.md", "where `regions.yaml` is a file of your own, for example:"),
    "my-plant.yaml": ("docs/scenarios.md", "## Format"),
    "supplier.yaml": (
        "docs/exchange.md",
        "A scenario file can put a supplier's footprint in place of a shipped dataset",
    ),
}

# Options whose value is a file the command writes; the positional output of `brightway datapackage`.
OUTPUT_OPTIONS = {"--out", "--plot", "--pact"}


@dataclass
class Example:
    text: str  # the command line as shown, backslash continuations joined
    where: list[str] = field(default_factory=list)  # where it is shown

    @property
    def args(self) -> list[str]:
        return shlex.split(self.text, comments=True)


def _walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _walk(sub, (*path, name))


def _join_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(line number, text) of each ``cathode-lca`` command line; backslash continuations joined."""
    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for number, raw in lines:
        text = raw.strip()
        if text.startswith("$ "):
            text = text[2:]
        if buf:
            buf += " " + text
        elif text.startswith("cathode-lca "):
            buf, start = text, number
        else:
            continue
        if buf.endswith("\\"):
            buf = buf[:-1].rstrip()
            continue
        out.append((start, buf))
        buf = ""
    return out


def help_examples() -> list[tuple[str, str]]:
    """(where, command line) of every line under ``Examples:`` of every command's help."""
    found = []
    for path, command in _walk(cli):
        lines = (command.help or "").splitlines()
        block: list[tuple[int, str]] = []
        inside = False
        for number, line in enumerate(lines, 1):
            if line.strip() == "Examples:":
                inside = True
            elif inside and not line.strip():
                inside = False
            elif inside:
                block.append((number, line))
        name = " ".join(("cathode-lca", *path))
        found += [(f"{name} --help", text) for _, text in _join_lines(block)]
    return found


def doc_files() -> list[Path]:
    """README.md, docs/**/*.md and the READMEs of the examples (they show how to run them)."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "examples").rglob("*.md"))]


def fenced_examples(path: Path, root: Path = ROOT) -> list[tuple[str, str]]:
    """(file:line, command line) of every ``cathode-lca`` line in a shell fence of a Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    fence: str | None = None
    skip = False
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        match = re.match(r"^\s*```(\w*)", line)
        if match and fence is None:
            fence = match.group(1)
            skip = number >= 2 and bool(NOT_RUN.match(lines[number - 2]))
            block = []
        elif match:
            if fence in SHELL_FENCES and not skip:
                found += [(f"{path.relative_to(root)}:{n}", text) for n, text in _join_lines(block)]
            fence = None
        elif fence is not None:
            block.append((number, line))
    return found


def all_examples() -> list[Example]:
    by_args: dict[tuple[str, ...], Example] = {}
    sources = help_examples() + [item for path in doc_files() for item in fenced_examples(path)]
    for where, text in sources:
        example = by_args.setdefault(tuple(shlex.split(text, comments=True)), Example(text.split(" #")[0].strip()))
        example.where.append(where)
    return list(by_args.values())


EXAMPLES = all_examples()


def _param(example: Example):
    # every case is a whole-model CLI run, 0.2 s to 45 s (a 1,000,000-sample Monte Carlo, a Sobol analysis over
    # every foreground parameter): `slow`, as docs/architecture.md defines it; the collectors' tests stay fast
    marks = [pytest.mark.slow]
    if "brightway" in example.args[1:3] or any(a.startswith("brightway:") for a in example.args):
        marks.append(pytest.mark.brightway)
    return pytest.param(example, id=example.text, marks=marks)


def doc_file_text(doc: str, anchor: str) -> str:
    """The first ```yaml fence after *anchor* in *doc*."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    after = text[text.index(anchor) :]
    match = re.search(r"```yaml\n(.*?)```", after, re.S)
    assert match, f"{doc}: no ```yaml block after {anchor!r}"
    return match.group(1)


def output_files(args: list[str]) -> list[str]:
    """The files an example names as outputs: values of --out/--plot/--pact, the datapackage's OUT."""
    outputs = [args[i + 1] for i, a in enumerate(args[:-1]) if a in OUTPUT_OPTIONS]
    if args[1:3] == ["brightway", "datapackage"]:
        outputs.append(args[3])
    return outputs


def _log_to_this_test(monkeypatch) -> None:
    """Point bw2data's log handlers at this test's stderr: they hold the stream that was sys.stderr when bw2data
    was first imported, in this process an earlier test's captured (and since closed) stream, which a real
    ``cathode-lca`` process never sees (``--verbose`` logs through them)."""
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if name.startswith("brightway") and type(handler) is logging.StreamHandler:
                monkeypatch.setattr(handler, "stream", sys.stderr)


@pytest.mark.parametrize("example", [_param(e) for e in EXAMPLES])
def test_example_runs_as_written(example: Example, tmp_path, monkeypatch, capsys, request):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for name, (doc, anchor) in DOC_FILES.items():
        (tmp_path / name).write_text(doc_file_text(doc, anchor), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    if any(m.name == "brightway" for m in request.node.iter_markers()):
        request.getfixturevalue("bd")  # a fresh Brightway data folder of this test
        _log_to_this_test(monkeypatch)
    args = example.args
    assert args[0] == "cathode-lca"
    code, out, err = run_main(args[1:], capsys)
    shown = (
        f"{example.text}\n(shown in {', '.join(example.where)})\nexit {code}\nstdout:\n{out[-2000:]}\nstderr:\n{err}"
    )
    assert "Traceback" not in out + err, shown
    if example.text in EXPECTED_INPUT:
        missing, _reason = EXPECTED_INPUT[example.text]
        assert code == 2, shown
        assert missing in err, shown
    elif example.text in DOCUMENTED_FAILURE:
        documented_code, documented_text = DOCUMENTED_FAILURE[example.text]
        assert code == documented_code, shown
        assert documented_text in out + err, shown
    else:
        assert code == 0, shown
        for name in output_files(args):
            path = tmp_path / name
            assert path.is_file() and path.stat().st_size > 0, f"{name} not written\n{shown}"


def test_collectors_find_the_examples():
    """The collectors are not silently empty: the counts of a help text and a doc fence, counted by hand."""
    helps = help_examples()
    # `cathode-lca compare --help` shows six examples (src/cathode_lca/cli/compare.py), one of them on two lines
    compare = [text for where, text in helps if where == "cathode-lca compare --help"]
    assert len(compare) == 6
    assert compare[-1].endswith("--pact-company ACME --pact-cpc 34240 --pact-period 2023")
    # a subcommand of a group is walked too, and every command and group shows at least one example
    shown = {where for where, _ in helps}
    assert "cathode-lca brightway datapackage --help" in shown
    assert {" ".join(("cathode-lca", *path, "--help")) for path, _ in _walk(cli)} == shown
    # docs/passport.md's first bash fence holds three passport lines
    passport = [text for _, text in fenced_examples(ROOT / "docs" / "passport.md")]
    assert passport[:3] == [
        "cathode-lca passport examples/battery-nmc811.yaml",
        "cathode-lca passport examples/battery-nmc811.yaml --rules cut-off --format json --out passport.json",
        "cathode-lca passport examples/battery-nmc811.yaml --stage-mapping regulation",
    ]


def test_not_run_marker_excludes_only_its_fence(tmp_path):
    """A fence after ``<!-- not run: ... -->`` is left out; the next fence is collected; $ prompts are stripped."""
    (tmp_path / "docs").mkdir()
    doc = tmp_path / "docs" / "x.md"
    doc.write_text(
        "<!-- not run: needs a cluster -->\n```bash\ncathode-lca a\n```\n\n```console\n$ cathode-lca b \\\n  --c\n```\n"
        "```python\ncathode-lca d\n```\n",
        encoding="utf-8",
    )
    assert fenced_examples(doc, tmp_path) == [("docs/x.md:7", "cathode-lca b --c")]


def test_expected_input_tables_name_shown_examples():
    """Every table entry is an example still shown somewhere (a stale entry would hide nothing and test nothing)."""
    shown = {e.text for e in EXAMPLES}
    assert set(EXPECTED_INPUT) <= shown
    assert set(DOCUMENTED_FAILURE) <= shown


@pytest.mark.parametrize("path", [path for path, _ in _walk(cli)], ids=lambda p: " ".join(("cathode-lca", *p)))
def test_help_shows_its_examples_line_by_line(path, capsys):
    """What is run above is what ``--help`` prints: each example's lines stay whole lines of the rendered help
    (a missing ``\\b`` before ``Examples:`` lets click re-wrap the block into one paragraph)."""
    code, out, _ = run_main([*path, "--help"], capsys)
    assert code == 0
    rendered = [line.strip() for line in out.splitlines()]
    command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    source = (command.help or "").split("Examples:", 1)
    assert len(source) == 2, "every command's help shows examples"
    assert "Examples:" in rendered
    for line in source[1].splitlines():
        if line.strip().startswith("cathode-lca ") or (line.startswith("  ") and line.strip()):
            assert line.strip() in rendered, f"{line.strip()!r} is not a line of the rendered help:\n{out}"
