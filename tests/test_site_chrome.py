"""Unit tests of the site extensions for the reader's experience (no build needed):
nnbook.site.korean_search.drop_page_title_hits and nnbook.site.korean_chrome."""
from gettext import NullTranslations

from nnbook.site import korean_chrome
from nnbook.site.korean_search import drop_page_title_hits


def test_page_title_hits_are_dropped_only_for_the_page_itself():
    index = {"titles": ['<span class="section-number">3. </span>역전파', "신경망의 내부"],
             "alltitles": {"역전파": [[0, None]], "역전파의 주요 아이디어": [[0, "b3"]],
                           "신경망의 내부": [[1, None]], "역전파 ": [[1, "x"]]}}
    out = drop_page_title_hits(index)["alltitles"]
    assert "역전파" not in out and "신경망의 내부" not in out          # a page's own title: found by its title words
    assert out["역전파의 주요 아이디어"] == [[0, "b3"]] and out["역전파 "] == [[1, "x"]]   # sections stay


def test_chrome_catalog_answers_first_and_falls_back():
    class Theme(NullTranslations):
        def gettext(self, message):
            return {"By": "으로", "Contents": "내용", "Edit": "편집"}.get(message, message)

    t = korean_chrome.ChromeTranslations(korean_chrome.CHROME_KO, Theme())
    assert t.gettext("By") == "지은이:"                      # the theme's wrong Korean is replaced
    assert t.gettext("Skip to main content") == "본문으로 건너뛰기"  # a missing one is supplied
    assert t.gettext("Edit") == "편집"                        # the rest still comes from the theme
    assert t.gettext("unknown") == "unknown"
    assert all(v and not v.isascii() for v in korean_chrome.CHROME_KO.values())
