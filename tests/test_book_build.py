"""The whole book builds with -W, and nothing in the built HTML loads from outside the site."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

LOADING_ATTRS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src",
                 "video": "src", "audio": "src", "embed": "src", "object": "data"}


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in LOADING_ATTRS and attrs.get(LOADING_ATTRS[tag]):
            self.refs.append((tag, attrs[LOADING_ATTRS[tag]]))
        if tag in ("img", "source") and attrs.get("srcset"):
            self.refs.append((tag, attrs["srcset"]))


def _outside(url: str) -> bool:
    return url.startswith(("http:", "https:", "//")) or "://" in url


def test_build_exits_zero(build_result):
    assert build_result.returncode == 0, build_result.stdout[-4000:] + build_result.stderr[-4000:]


def test_no_reference_outside_the_site(site_dir: Path):
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) >= 3
    offending = []
    for page in pages:
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        offending += [(page.name, tag, url) for tag, url in parser.refs if _outside(url)]
    assert offending == []


def test_vendored_files_and_models_are_in_the_site(site_dir: Path):
    static = site_dir / "_static"
    for rel in ["vendor/ort/ort.wasm.bundle.min.mjs", "vendor/ort/ort-wasm-simd-threaded.wasm",
                "vendor/mathjax/tex-chtml.js", "vendor/vega/vega.min.js", "vendor/vega/vega-lite.min.js",
                "vendor/vega/vega-embed.min.js", "models/manifest.json", "models/mlp3_3vsrest_random.onnx",
                "samples/mnist_test_sprite.png", "js/ort-loader.js"]:
        assert (static / rel).is_file(), rel


def test_glued_numbers_are_rendered(site_dir: Path):
    """Glued values are rendered in place: no role left as text in any chapter, and chapter 1 shows the count of
    3s in the training set that its cell computed from the data."""
    for page in sorted((site_dir / "book").glob("*.html")):
        article = page.read_text(encoding="utf-8").split('<article class="bd-article')[-1].split("</article>")[0]
        prose = re.sub(r"<pre>.*?</pre>", "", article, flags=re.S)          # code may mention the role
        assert not re.search(r"\{glue(:\w+)?\}`", prose), page.name
    assert "6,131" in (site_dir / "book" / "01_digit3.html").read_text(encoding="utf-8")


def test_shown_outputs_print_numbers_as_numbers(site_dir: Path):
    """NumPy 2 prints a scalar as ``np.float64(0.5)``; the chapters set ``np.set_printoptions(legacy="1.25")``
    so a reader sees ``0.5`` in every shown output."""
    outputs = re.compile(r'<div class="output text_plain[^>]*>(.*?)</pre>', re.S)
    leaks = {page.name: [o for o in outputs.findall(page.read_text(encoding="utf-8")) if re.search(r"np\.(float|int)", o)]
             for page in sorted((site_dir / "book").glob("*.html"))}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_exercise_and_fold_chrome_reads_as_korean(site_dir: Path):
    """sphinx-exercise's catalog titled solutions "해답 연습 1.1" and togglebutton hinted "표시하려면 클릭"."""
    html = (site_dir / "book" / "01_digit3.html").read_text(encoding="utf-8")
    assert "풀이:" in html and "해답" not in html
    assert "toggleHintShow = '눌러서 보기'" in html and "표시하려면 클릭" not in html
