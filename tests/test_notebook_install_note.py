"""Every notebook a reader can download opens with how to get the ``nnbook`` package its cells import
(issue 18, item 10; written by nnbook.site.offline)."""
import json

import pytest

from nnbook.site.offline import INSTALL_NOTE

pytestmark = pytest.mark.build


def test_downloadable_notebooks_say_how_to_install_nnbook(site_dir):
    notebooks = sorted((site_dir / "_sources").rglob("*.ipynb"))
    assert notebooks, "no downloadable notebook in the site"
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = cells[0]
        assert first["cell_type"] == "markdown" and "".join(first["source"]) == INSTALL_NOTE, path
        assert "make deps" in INSTALL_NOTE and "nnbook" in INSTALL_NOTE
        code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert "import nnbook" in code or "from nnbook" in code, path   # the note is there because of these
        assert sum("".join(c["source"]) == INSTALL_NOTE for c in cells) == 1, path
