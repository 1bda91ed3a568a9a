"""Claim checks (nnbook.claims): a sentence that no longer holds stops the build, quoted."""
import ast
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from nnbook import claims
from nnbook.site import glossary

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


# --- Every claim check quotes the sentence it checks ----------------------------------------------------------
# STYLE.md: a claim check "states the sentence in code and quotes it", so a maintainer finds the sentence and the
# build message quotes what the reader reads. A quote may write glued values as `{glue_key}` placeholders (plain
# string) or f-string values, and may leave out whole sentences with "…" between them; its words are the prose's.

_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")                  # {glue:text}`key`, {numref}`...`, {eq}`...`
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")               # [text](url) -> text
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")                   # {glue_key} in a plain-string claim
_SEPARATORS = re.compile(r"%p(?![A-Za-z])|[0-9.,%…\-−+×/()=<>≤≥\[\]{}|:;\"'“”‘’]+")  # %p: percentage point
MIN_PIECE = 8                                               # shorter pieces ("입니다") prove nothing


def _cell_code(cell: str) -> str:
    """A code cell's Python: without its ``---`` YAML header and ``:tags:`` option lines."""
    cell = re.sub(r"\A---\n.*?\n---\n", "", cell, flags=re.S)
    return "\n".join(line for line in cell.splitlines() if not re.match(r"^:\w+:", line))


def claim_strings(text: str) -> list[list[str] | None]:
    """The claim argument of every ``claims.check`` call (direct or through an alias) in a chapter's code cells:
    a plain string as ``[text]``, an f-string as its literal pieces (the values between them dropped), and
    ``None`` for a claim built at run time that cannot be read from the source (a variable, a call)."""
    aliases = re.findall(r"^\s*(\w+)\s*=\s*(?:nb|nnbook)\.claims\.check\s*(?:#.*)?$", text, flags=re.M)
    aliases += [a or "check" for a in re.findall(r"^\s*from nnbook\.claims import check(?: as (\w+))?", text,
                                                   flags=re.M)]
    out = []
    for cell in _CELL.findall(text):
        try:
            tree = ast.parse(_cell_code(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if not (name.endswith("claims.check") or name in aliases):
                continue
            arg = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "claim"), None)
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.append([arg.value])
            elif isinstance(arg, ast.JoinedStr):
                out.append([v.value for v in arg.values if isinstance(v, ast.Constant)])
            else:
                out.append(None)
    return out


def _normalise(s: str) -> str:
    """Markdown as the reader reads it, roughly: roles -> separator, links -> their text, no emphasis marks or
    code-span backticks, whitespace collapsed."""
    s = _ROLE.sub(" | ", s)
    s = _LINK.sub(r"\1", s)
    s = s.replace("**", "").replace("`", "")
    return re.sub(r"\s+", " ", s)


def normalised_prose(text: str) -> str:
    """A chapter's prose (the lines `prose_lines` keeps, but with code spans' text kept) in one normalised string."""
    raw = text.splitlines()
    return _normalise(" ".join(raw[number - 1] for number, _ in glossary.prose_lines(text)))


def claim_pieces(parts: list[str]) -> list[str]:
    """The words of a claim that must appear in the prose: its text split at placeholders, numbers and
    punctuation, pieces of at least MIN_PIECE characters."""
    pieces = []
    for part in parts:
        for piece in _SEPARATORS.split(_normalise(_PLACEHOLDER.sub("|", part))):
            if len(piece.strip()) >= MIN_PIECE:
                pieces.append(piece.strip())
    return pieces


def _inside_a_sentence(claim: str, at: int) -> bool:
    """Is the "…" at ``claim[at]`` inside a sentence (words left out) rather than between whole sentences?"""
    before, after = claim[:at].rstrip(), claim[at + 1:]
    return not ((before == "" or before[-1] in ".!?)\"”") and (after.strip() == "" or after[0].isspace()))


def misquoted_claims(text: str) -> list[str]:
    """Claims of a chapter whose words are not in its prose, or that skip words inside a sentence with "…"."""
    prose = normalised_prose(text)
    bad = []
    for parts in claim_strings(text):
        if parts is None:
            continue
        missing = [p for p in claim_pieces(parts) if p not in prose]
        joined = "{}".join(parts)
        mid_sentence = any(_inside_a_sentence(joined, m.start()) for m in re.finditer("…", joined))
        if missing or mid_sentence:
            bad.append(f"«{joined}»" + (f" — not in the prose: {missing}" if missing else "")
                       + (" — '…' inside a sentence (write the glue key as {key})" if mid_sentence else ""))
    return bad


@pytest.mark.parametrize("stem", glossary.toc_chapters())
def test_every_claim_check_quotes_the_chapters_prose(stem):
    text = (glossary.BOOK / f"{stem}.md").read_text(encoding="utf-8")
    dynamic = sum(parts is None for parts in claim_strings(text))
    if dynamic:
        warnings.warn(f"{stem}: {dynamic} claim string(s) built at run time; not compared with the prose")
    assert misquoted_claims(text) == []


QUOTE_MD = """---
jupytext: {{}}
---
# 작은 장

목록의 모든 수는 {{glue:text}}`n_neg`개가 **음수**입니다. [표](https://example.org)의 값은 `np.sign`으로 셉니다.

```{{code-cell}} ipython3
:tags: [remove-cell]
check = nb.claims.check
{}
```
"""


def test_the_quote_test_catches_a_paraphrase_and_accepts_a_faithful_quote():
    def misquoted(call):
        return misquoted_claims(QUOTE_MD.format(call))

    assert misquoted('nb.claims.check(n < 0, "목록의 모든 수는 {n_neg}개가 음수입니다.")') == []          # placeholder
    assert misquoted('check(n < 0, f"목록의 모든 수는 {n}개가 음수입니다. 표의 값은 np.sign으로 셉니다.")') == []
    assert misquoted('check(n < 0, "… 표의 값은 np.sign으로 셉니다.")') == []                      # sentence cut
    assert misquoted('check(n < 0, "수는 모두 음수라고 할 수 있습니다.")') != []                    # paraphrase
    assert misquoted('check(n < 0, "목록의 모든 수는 …개가 음수입니다.")') != []                           # "…" for a value
    assert misquoted('check(n < 0, "목록의 모든 숫자는 {n_neg}개가 음수입니다.")') != []                   # one word changed
    assert claim_strings(QUOTE_MD.format('check(n < 0, sentence)')) == [None]                      # dynamic
