"""The Korean search stemmer: particles are stripped the same way when indexing and when querying."""
import json
import subprocess

import pytest

from nnbook.site.korean_search import JS_STEMMER, stem

CASES = {"신경망을": "신경망", "신경망": "신경망", "신경망은": "신경망", "은닉층에서": "은닉층", "은닉층에서는": "은닉층",
         "가중치를": "가중치", "뉴런들": "뉴런", "모델이": "모델", "가": "가", "이": "이", "MNIST": "mnist"}


@pytest.mark.parametrize("word,expected", CASES.items())
def test_python_stem(word, expected):
    assert stem(word) == expected


def test_js_stemmer_agrees_with_python():
    """Run the JS stemmer shipped in language_data.js under node on the same words."""
    words = list(CASES) + ["networks", "training", "역전파로", "교차엔트로피의", "에포크마다"]
    script = JS_STEMMER + f"\nvar s = new Stemmer(); console.log(JSON.stringify({json.dumps(words)}.map(w => s.stemWord(w))));"
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    from nnbook.site.korean_search import SearchKorean
    lang = SearchKorean({})
    assert json.loads(out) == [lang.stem(w) for w in words]
