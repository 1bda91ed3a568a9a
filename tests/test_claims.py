"""Claim checks (nnbook.claims): a sentence that no longer holds stops the build, quoted."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nnbook import claims

REPO = Path(__file__).resolve().parents[1]


def test_check_passes_silently_and_fails_with_the_quoted_sentence():
    claims.check(3 > 2, "삼은 이보다 큽니다.")
    with pytest.raises(claims.ClaimError) as err:
        claims.check(1 > 2, "일은 이보다 큽니다.", left=1, right=2)
    assert "«일은 이보다 큽니다.»" in str(err.value) and "left = 1" in str(err.value)
    with pytest.raises(ValueError):
        claims.check(True, "  ")


def _chapters() -> list[Path]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [REPO / f"{f}.md" for f in files if re.search(r"/\d\d_", f)]


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.stem)
def test_every_numbered_chapter_checks_its_claims(path):
    assert claim_check_count(path.read_text(encoding="utf-8")) > 0, f"{path.name} has no claim checks"


def claim_check_count(text: str) -> int:
    """Calls of nnbook.claims.check in a chapter, directly or through a local alias (``check = nb.claims.check``
    or ``from nnbook.claims import check``)."""
    aliases = re.findall(r"^\s*(\w+)\s*=\s*(?:nb|nnbook)\.claims\.check\s*(?:#.*)?$", text, flags=re.M)
    aliases += re.findall(r"^\s*from nnbook\.claims import check(?: as (\w+))?", text, flags=re.M)
    names = {a or "check" for a in aliases}
    count = len(re.findall(r"claims\.check\(", text))
    return count + sum(len(re.findall(rf"(?<![\w.]){n}\(", text)) for n in names)


def test_claim_check_count_sees_direct_calls_and_aliases():
    assert claim_check_count("nb.claims.check(x, 'a')\nnb.claims.check(y, 'b')") == 2
    assert claim_check_count("check = nb.claims.check\ncheck(x, 'a')\nself.check(y)\n") == 1
    assert claim_check_count("check = nb.claims.check  # alias\ncheck(x, 'a')\n") == 1
    assert claim_check_count("from nnbook.claims import check as cc\ncc(x, 'a')\n") == 1
    assert claim_check_count("def check(x):\n    pass\ncheck(1)\n") == 0


TINY_MD = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# 작은 장

모든 수는 음수입니다.

```{code-cell} ipython3
:tags: [remove-cell]
import nnbook as nb
nb.claims.check(all(v < 0 for v in [-1, 2]), "모든 수는 음수입니다.", values=[-1, 2])
```
"""


@pytest.mark.build
def test_a_failing_claim_stops_a_build_with_the_quoted_sentence(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "title: t\nexecute: {execute_notebooks: force}\n"
        "sphinx: {config: {language: ko, nb_execution_show_tb: true}}\n", encoding="utf-8")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: tiny\n", encoding="utf-8")
    (tmp_path / "tiny.md").write_text(TINY_MD, encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(tmp_path), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "«모든 수는 음수입니다.»" in out
    assert "ClaimError" in out
