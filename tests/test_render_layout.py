"""The documents as they are laid out: every HTML page in headless Chromium (nothing may overflow the
main column) and the LaTeX documents compiled (no overfull box over 5 pt).  Skipped where Chromium or
LaTeX is not installed; `.ci/run` installs both."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from derive.render.phrases import LANGUAGES, phrases

WIDTH = 800          # px: a laptop window; wider equations must scroll inside their own box
OVERFULL_LIMIT = 5.0  # pt

_HARNESS = """<!DOCTYPE html><html><body><pre id="probe"></pre><script>
const pages = %s;
const results = {};
let pending = pages.length;
for (const src of pages) {
  const frame = document.createElement('iframe');
  frame.style.width = '%dpx'; frame.style.height = '400px';
  frame.onload = () => {
    const page = frame.contentDocument, main = page.querySelector('main');
    const wide = [...main.querySelectorAll('*')].filter(e => {
      const box = e.getBoundingClientRect(), edge = main.getBoundingClientRect().right;
      let parent = e.parentElement, clipped = false;
      while (parent && parent !== main) {
        const style = getComputedStyle(parent);
        if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) clipped = true;
        parent = parent.parentElement;
      }
      return !clipped && box.right > edge + 1;
    }).slice(0, 3).map(e => e.tagName + ': ' + e.textContent.slice(0, 80));
    results[src] = {overflow: main.scrollWidth - main.clientWidth,
                    page: page.documentElement.scrollWidth - page.documentElement.clientWidth, wide: wide};
    if (--pending === 0) document.getElementById('probe').textContent = JSON.stringify(results);
  };
  frame.src = src;
  document.body.appendChild(frame);
}
</script></body></html>"""


def _browser() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_html_page_overflows_its_main_column(tree: Path, tmp_path: Path, lang: str):
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium installed")
    pages = sorted(p.name for p in (tree / lang).glob("*.html"))
    harness = tree / lang / "_layout_probe.html"
    harness.write_text(_HARNESS % (json.dumps(pages), WIDTH), encoding="utf-8")
    try:
        run = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=120000",
             "--dump-dom", harness.as_uri()], capture_output=True, text=True, timeout=600)
    finally:
        harness.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found and found.group(1), run.stderr[-2000:]
    results = json.loads(html.unescape(found.group(1)))
    assert len(results) == len(pages)
    bad = {page: r for page, r in results.items() if r["overflow"] > 1 or r["page"] > 1 or r["wide"]}
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)[:4000]


def _overfull(log: str) -> list[tuple[float, str]]:
    return [(float(width), line) for width, line in
            re.findall(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\) (.*)", log)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_latex_documents_have_no_overfull_box_over_5pt(tree: Path, tmp_path: Path, lang: str):
    engine = phrases(lang).meta["tex_engine"]
    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed")
    worst = {}
    for source in sorted((tree / lang).glob("*.tex")):
        command = [engine, "-interaction=nonstopmode", "-halt-on-error", "-no-pdf" if engine == "xelatex"
                   else "-draftmode", f"-output-directory={tmp_path}", source.name]
        run = subprocess.run(command, cwd=tree / lang, capture_output=True, text=True, timeout=300)
        log = (tmp_path / f"{source.stem}.log").read_text(encoding="utf-8", errors="replace")
        assert run.returncode == 0, f"{source.name}: {log[-2000:]}"
        boxes = [box for box in _overfull(log) if box[0] > OVERFULL_LIMIT]
        if boxes:
            worst[source.name] = max(boxes)
    assert not worst, worst
