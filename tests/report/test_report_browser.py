"""The sample project's report in a real browser (Debian's headless Chromium): no console
errors, nothing fetched, every plot drawn with a size, and a screenshot that is not blank.

Chromium is required (.ci/run installs it): without it these tests fail, they do not skip.
A probe script is added to a copy of the report (the report itself has no script): it records
errors and console.error calls from the first moment, and after load writes the size of every
<svg> and the resources the page fetched into the DOM, which --dump-dom prints.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import numpy as np
import pytest

PROBE_HEAD = """<script>window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
const __ce = console.error; console.error = (...a) => { window.__errors.push(a.join(' ')); };
</script>"""
PROBE_END = """<script>window.addEventListener('load', () => {
  const svgs = [...document.querySelectorAll('svg')].map(s => {
    const r = s.getBoundingClientRect(); return [r.width, r.height]; });
  const fetched = performance.getEntriesByType('resource').map(r => r.name);
  document.documentElement.setAttribute('data-probe',
    JSON.stringify({svgs, fetched, errors: window.__errors}));
});</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed: apt-get install -y chromium (.ci/run does this)")
    return found


def run_chromium(page: Path, *args: str) -> subprocess.CompletedProcess:
    profile = page.parent / "chromium-profile"
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: any lookup would fail
        *args,
        page.resolve().as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def probe(report: Path, tmp_path: Path) -> dict:
    html = report.read_text(encoding="utf-8")
    page = tmp_path / "probed.html"
    page.write_text(
        html.replace("<head>", "<head>" + PROBE_HEAD, 1).replace("</body>", PROBE_END + "</body>"),
        encoding="utf-8",
    )
    done = run_chromium(page, "--dump-dom", "--virtual-time-budget=5000")
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert found, "the probe did not run: " + done.stderr[-2000:]
    result = json.loads(unescape(found.group(1)))
    result["console"] = [
        line for line in done.stderr.splitlines() if "CONSOLE" in line and "Uncaught" in line
    ]
    result["n_svg_in_file"] = len(re.findall(r"<svg\b", html))
    return result


def test_report_renders_in_chromium(sample_report: Path, tmp_path: Path) -> None:
    result = probe(sample_report, tmp_path)
    assert result["errors"] == [] and result["console"] == []
    assert result["fetched"] == []  # nothing loaded besides the page itself
    assert len(result["svgs"]) == result["n_svg_in_file"] >= 30
    sizes = np.array(result["svgs"], dtype=float)
    assert (sizes[:, 0] > 100).all() and (sizes[:, 1] > 50).all(), sizes.min(axis=0)


def test_screenshot_is_not_blank(sample_report: Path, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "shot.png"
    page = tmp_path / "report.html"
    shutil.copy(sample_report, page)
    done = run_chromium(page, f"--screenshot={shot}", "--window-size=1200,3000")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("L"), dtype=float)
    assert pixels.shape == (3000, 1200)
    assert pixels.std() > 20  # text, tables and plots, not a blank page
    assert (pixels < 128).mean() > 0.01  # enough dark ink


def test_probe_catches_errors(tmp_path: Path) -> None:
    """The harness itself: a page with a script error and a missing image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head></head><body><svg width='10' height='10'></svg>"
        "<img src='http://example.invalid/x.png'><script>notDefined();</script></body></html>"
    )
    result = probe(bad, tmp_path)
    assert any("notDefined" in e for e in result["errors"])
    assert result["fetched"] and result["svgs"] == [[10, 10]]
