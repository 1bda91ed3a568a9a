"""Sphinx search language ``ko``: Sphinx ships none, and its default splitter keeps Korean particles attached
to the word, so "신경망을" never finds "신경망".

Korean nouns take particles (조사) as suffixes: 신경망 + 을/은/이/의/에서/으로 .... Both the index (Python,
:func:`stem`) and the query (JavaScript, generated from the same :data:`PARTICLES` list) strip one trailing
particle from a Hangul word, so every inflected form meets on the bare noun. English words keep Sphinx's
Porter stemmer. A rule list is crude next to a morphological analyser (it also strips "도" from "정확도" on
both sides, which still matches), but it runs in the reader's browser with no dictionary download.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from sphinx.search.en import SearchEnglish

# Longest first, so "에서는" is removed whole rather than leaving "에서".
PARTICLES = sorted(
    """이라고 이라는 이지만 에서는 에서도 에서의 으로는 으로도 으로서 으로써 으로부터 에게서 한테서 까지 부터 에서 에게
    한테 처럼 보다 으로 이나 이며 이고 이다 이란 라는 라고 에는 에도 와는 과는 하고 입니다 이에요 예요 들을 들이 들은 들의
    을 를 이 가 은 는 의 에 로 와 과 도 만 들""".split(), key=len, reverse=True)
_HANGUL_END = re.compile(r"[\uac00-\ud7a3]$")


def stem(word: str) -> str:
    """Strip one trailing particle from a Hangul word (keeping at least one syllable); lower-case the rest.

    Examples: "신경망을" -> "신경망", "은닉층에서" -> "은닉층", "뉴런들" -> "뉴런", "가" -> "가".
    """
    word = word.lower()
    if _HANGUL_END.search(word):
        for p in PARTICLES:
            if word.endswith(p) and len(word) > len(p):
                return word[: -len(p)]
    return word


JS_STEMMER = SearchEnglish.js_stemmer_code + """
/* Korean: strip one trailing particle (nnbook.site.korean_search); English words: Porter as above. */
var PorterStemmer = Stemmer;
var KO_PARTICLES = %s;
Stemmer = function() {
  var porter = new PorterStemmer();
  this.stemWord = function(w) {
    w = w.toLowerCase();
    if (/[\\uac00-\\ud7a3]$/.test(w)) {
      for (var i = 0; i < KO_PARTICLES.length; i++) {
        var p = KO_PARTICLES[i];
        if (w.length > p.length && w.slice(-p.length) === p) return w.slice(0, -p.length);
      }
      return w;
    }
    return porter.stemWord(w);
  };
};
""" % json.dumps(PARTICLES, ensure_ascii=False)


class SearchKorean(SearchEnglish):
    lang = "ko"
    language_name = "Korean"
    js_stemmer_code = JS_STEMMER

    def stem(self, word: str) -> str:
        if _HANGUL_END.search(word):
            return stem(word)
        return super().stem(word)

    def word_filter(self, word: str) -> bool:
        return len(word) > 0 and not word.isdigit() and word not in self.stopwords


def drop_page_title_hits(index: dict) -> dict:
    """Remove ``alltitles`` entries that are a page's own title (section id ``None``).

    Sphinx 7.4's search lists such a hit as "<page title> > <title>" whenever the page title carries a section
    number ("3. 역전파" != "역전파"), so a search for a chapter's name showed the chapter twice: "3. 역전파" and
    "3. 역전파 > 역전파". The page is still found through its title words (``titleterms``), ranked first.
    """
    titles = [re.sub(r"^\d+(\.\d+)*\.\s*", "", re.sub(r"<[^>]+>", "", t)).strip() for t in index["titles"]]
    for key, hits in list(index["alltitles"].items()):
        kept = [h for h in hits if not (h[1] is None and titles[h[0]] == key.strip())]
        if kept:
            index["alltitles"][key] = kept
        else:
            del index["alltitles"][key]
    return index


def _clean_index(app, exception):
    path = Path(app.outdir) / "searchindex.js"
    if exception is not None or app.builder.format != "html" or not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    head, body = text[:text.index("(") + 1], text[text.index("(") + 1:text.rindex(")")]
    index = drop_page_title_hits(json.loads(body))
    path.write_text(head + json.dumps(index, ensure_ascii=False, separators=(",", ":")) + ")", encoding="utf-8")


def setup(app):
    app.add_search_language(SearchKorean)
    app.connect("build-finished", _clean_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
