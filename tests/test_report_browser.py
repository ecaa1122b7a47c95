"""The HTML report in a real headless Chromium: no console errors, the numbers are in the DOM,
the page is not blank. CI installs Debian's chromium first (.ci/run); without it this test fails.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from cathode_lca.cli import main
from cathode_lca.report.tables import format_number

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def chromium() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "no Chromium found (looked for " + ", ".join(BROWSERS) + "): the report must be tested in a real browser; "
        "install it with 'apt-get install -y chromium' (CI does so in .ci/run)",
        pytrace=False,
    )


def headless(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    args = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        page.as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)


CONSOLE_ERROR = re.compile(r"CONSOLE.*(Uncaught|Error|Refused)|Uncaught \w*Error", re.I)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE_ERROR.search(line)]


def test_console_error_detection_works(tmp_path):
    """Negative control: a page with a script error and a blocked network request is caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'\">"
        "</head><body><p>x</p><script>undefinedFunction()</script></body></html>"
    )
    result = headless(page, tmp_path, "--dump-dom")
    assert console_errors(result.stderr), result.stderr[-2000:]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    out = folder / "report.html"
    main(["report", "NMC811", "--battery", str(ROOT / "examples" / "battery-nmc811.yaml"), "--out", str(out)])
    assert out.stat().st_size > 10_000
    return out


def test_report_renders_without_console_errors_and_shows_the_numbers(report, tmp_path, capsys):
    result = headless(report, tmp_path, "--dump-dom", "--virtual-time-budget=5000")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not console_errors(result.stderr), console_errors(result.stderr)
    dom = result.stdout
    assert "<h1>NMC811: virgin vs recycled cathode material</h1>" in dom
    # the key numbers, as the JSON output gives them
    capsys.readouterr()
    main(["compare", "NMC811", "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    for r in payload["results"]:
        assert f'data-value="{float(r["value"])!r}"' in dom
        assert f">{format_number(r['value'])}<" in dom
    assert dom.count("<img") >= 4 and 'src="data:image/svg+xml;base64,' in dom
    assert "Battery passport summary" in dom and "Data sources" in dom and "Warnings" in dom
    assert re.search(r'id="metadata-hash">[0-9a-f]{64}<', dom)
    assert not re.search(r'(src|href)="(https?:)?//', dom)  # nothing to fetch from the network


def test_report_screenshot_is_not_blank(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    result = headless(report, tmp_path, f"--screenshot={shot}", "--window-size=1100,2400")
    assert shot.exists(), result.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.shape == (2400, 1100)
    assert pixels.std() > 10  # text, tables and charts, not an empty page
    assert (pixels < 128).mean() > 0.01  # dark ink on at least 1 % of the page
    # charts are drawn: the Okabe-Ito orange (#E69F00) of the first stage appears
    rgb = np.asarray(Image.open(shot).convert("RGB"), dtype=int)
    orange = (np.abs(rgb - np.array([0xE6, 0x9F, 0x00])).sum(axis=2) < 30).mean()
    assert orange > 0.001


def test_ci_installs_chromium_before_the_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    install = ci.index("apt-get install")
    assert "chromium" in ci[install : ci.index("\n", install)]
    assert install < ci.index("python -m pytest")


def test_report_file_is_readable_by_others_like_any_new_file(report):
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    assert report.stat().st_mode & 0o777 == 0o666 & ~mask
