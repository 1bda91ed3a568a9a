"""The book's glossary: one list of terms, rendered as the 용어집 page and checked against the chapters.

Each term has the Korean word the book uses, the English word, the first chapter whose prose uses it, and
non-standard variants a chapter must not use (``tests/test_glossary.py`` checks both claims).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
BOOK = REPO / "book"


@dataclass(frozen=True)
class Term:
    korean: str                  # the standard Korean term, exactly as the chapters write it
    english: str                 # the English term
    chapter: str                 # the first chapter (file stem, e.g. "02_basics") whose prose uses `korean`
    variants: tuple[str, ...] = field(default=())  # non-standard spellings the chapters must not use


T = Term
TERMS: tuple[Term, ...] = (
    # 1. 숫자 3을 찾는 뉴런?
    T("신경망", "neural network", "01_digit3", ("뉴럴 네트워크", "뉴럴넷")),
    T("뉴런", "neuron", "01_digit3", ("뉴론", "유닛", "노드")),
    T("층", "layer", "01_digit3", ("레이어",)),
    T("은닉층", "hidden layer", "01_digit3", ("숨겨진 층", "숨겨진 레이어", "히든 레이어", "은닉 레이어", "은닉 층")),
    T("가중치", "weight", "01_digit3", ("웨이트",)),
    T("편향", "bias", "01_digit3", ("바이어스",)),
    T("활성화", "activation", "01_digit3", ("액티베이션",)),
    T("매개변수", "parameter", "01_digit3", ("파라미터",)),
    T("초기화", "initialization", "01_digit3"),
    T("대칭", "symmetry", "01_digit3"),
    T("손실", "loss", "01_digit3"),
    T("에포크", "epoch", "01_digit3", ("에폭",)),
    T("학습 데이터", "training data", "01_digit3", ("훈련 데이터", "트레이닝 데이터", "훈련 이미지")),
    T("시드", "seed", "01_digit3", ("난수 씨앗", "씨앗값")),
    T("시험 데이터", "test data", "01_digit3", ("테스트 데이터",)),
    T("정확도", "accuracy", "01_digit3"),
    T("균형 정확도", "balanced accuracy", "01_digit3"),
    T("정밀도", "precision", "01_digit3"),
    T("재현율", "recall", "01_digit3", ("리콜",)),
    T("시그모이드", "sigmoid", "01_digit3"),
    T("활성화 함수", "activation function", "01_digit3", ("활성 함수", "활성함수", "활성화함수")),
    T("ReLU", "rectified linear unit", "01_digit3"),
    T("기울기", "slope", "01_digit3"),
    T("그레이디언트", "gradient", "02_basics", ("그래디언트", "그라디언트")),
    T("교차 엔트로피", "cross entropy", "01_digit3", ("크로스 엔트로피", "크로스엔트로피", "교차엔트로피")),
    T("완전연결", "fully connected", "01_digit3", ("완전 연결", "풀리 커넥티드")),
    # 2. 신경망의 기초
    T("활성화 값", "activation (value)", "02_basics"),
    T("가중합", "weighted sum", "02_basics", ("가중 합",)),
    T("입력층", "input layer", "02_basics", ("입력 층", "입력 레이어")),
    T("죽은 뉴런", "dead neuron (dead ReLU)", "02_basics", ("죽은 ReLU", "죽은 유닛")),
    T("ArgMax", "argmax", "02_basics"),
    T("역전파", "backpropagation", "02_basics", ("백프로파게이션", "백프로퍼게이션", "역전달")),
    T("경사 하강법", "gradient descent", "02_basics", ("경사하강법", "기울기 하강법", "그래디언트 디센트")),
    T("미분", "derivative", "02_basics"),
    T("잔차 제곱합", "sum of squared residuals (SSR)", "02_basics"),
    T("연쇄 법칙", "chain rule", "02_basics", ("연쇄법칙", "체인 룰")),
    # 3. 역전파
    T("소프트플러스", "softplus", "02_basics", ("SoftPlus", "Softplus")),
    T("소프트맥스", "softmax", "02_basics", ("소프트 맥스", "SoftMax", "Softmax")),
    T("학습률", "learning rate", "03_backprop", ("러닝 레이트",)),
    T("스텝 크기", "step size", "03_backprop"),
    T("확률적 경사 하강법", "stochastic gradient descent (SGD)", "03_backprop"),
    T("미니배치", "mini-batch", "03_backprop", ("미니 배치",)),
    T("옵티마이저", "optimizer", "01_digit3", ("최적화기",)),
    T("Adam", "Adam (adaptive moment estimation)", "01_digit3", ("아담",)),
    T("모멘텀", "momentum", "01_digit3"),
    T("가중치 감쇠", "weight decay", "01_digit3", ("가중치 감소", "웨이트 디케이")),
    T("색 띠", "heat strip", "01_digit3", ("히트 스트립", "히트스트립")),
    T("손실 함수", "loss function", "03_backprop", ("손실함수", "비용함수")),
    T("손실 지형", "loss landscape", "03_backprop"),
    T("야코비 행렬", "Jacobian matrix", "03_backprop", ("자코비안", "야코비안")),
    T("자동 미분", "automatic differentiation (autograd)", "03_backprop"),
    # 4. 대칭과 "3만 배우기"
    T("대칭 깨기", "symmetry breaking", "04_symmetry"),
    T("사전 활성화", "pre-activation", "03_backprop", ("전활성화", "프리액티베이션")),
    T("포화", "saturation", "04_symmetry"),
    T("팬인", "fan-in", "04_symmetry"),
    T("로짓", "logit", "04_symmetry"),
    T("유효 랭크", "effective rank", "04_symmetry", ("유효 계수",)),
    T("특잇값 분해", "singular value decomposition (SVD)", "04_symmetry", ("특이값 분해",)),
    T("경사 상승법", "gradient ascent", "04_symmetry"),
    T("템플릿", "template", "04_symmetry"),
    T("인코더", "encoder", "04_symmetry", ("엔코더",)),
    # 5. 가중치는 템플릿이다
    T("소프트맥스 회귀", "softmax regression", "05_templates"),
    T("오차 행렬", "confusion matrix", "05_templates", ("혼동 행렬", "혼동행렬", "컨퓨전 행렬")),
    T("필터", "filter", "05_templates"),
    T("아핀 변환", "affine transformation", "05_templates", ("어파인 변환", "아핀변환")),
    T("절제", "ablation", "05_templates", ("어블레이션",)),
    T("로그 오즈", "log-odds", "05_templates", ("로그오즈",)),
    T("합성곱", "convolution", "05_templates", ("컨볼루션", "콘볼루션", "컨벌루션")),
    T("합성곱 신경망", "convolutional neural network (CNN)", "05_templates"),
    # 6. 뉴런은 무엇을 보는가
    T("활성화 최대화", "activation maximization", "06_featurevis"),
    T("규제", "regularization", "06_featurevis", ("정칙화",)),
    T("총변이", "total variation", "06_featurevis", ("총 변이",)),
    T("흔들기", "jitter", "06_featurevis", ("지터링",)),
    T("코사인 유사도", "cosine similarity", "04_symmetry"),
    T("데이터셋 예시", "dataset examples", "06_featurevis", ("데이터 세트 예시",)),
    T("순전파", "forward pass", "03_backprop"),
    T("다층 퍼셉트론", "multilayer perceptron (MLP)", "06_featurevis"),
    T("원-핫", "one-hot", "06_featurevis", ("원핫",)),
    T("학습된 사전 분포", "learned prior", "06_featurevis"),
    T("주성분 분석", "principal component analysis (PCA)", "06_featurevis"),
    T("가림 지도", "occlusion map", "06_featurevis"),
    T("다양성 목표", "diversity objective", "06_featurevis"),
    # 7. 뉴런을 해석하는 뉴런
    T("탐침", "probe", "04_symmetry", ("프로브", "프로빙")),
    T("선형 탐침", "linear probe", "07_probing", ("선형 프로브",)),
    T("비선형 탐침", "non-linear probe", "07_probing"),
    T("기준선", "baseline", "07_probing", ("베이스라인",)),
    T("대조 과제", "control task", "07_probing", ("통제 과제",)),
    T("선택성", "selectivity", "07_probing", ("선택도",)),
    # 8. 더 넓은 맥락
    T("특성 맵", "feature map", "08_context", ("특징 맵", "피처 맵", "피쳐 맵", "특징맵")),
    T("맥스 풀링", "max pooling", "08_context", ("최대 풀링", "맥스풀링")),
    T("등변성", "equivariance", "08_context"),
    T("데이터 증강", "data augmentation", "05_templates"),
    T("순환 신경망", "recurrent neural network (RNN)", "08_context", ("리커런트 신경망",)),
    T("그레이디언트 소실", "vanishing gradient", "08_context", ("기울기 소실", "경사 소실")),
    T("그레이디언트 폭주", "exploding gradient", "08_context", ("기울기 폭주", "경사 폭발", "기울기 폭발")),
    T("시퀀스", "sequence", "08_context", ("순서열",)),
    T("셀 상태", "cell state", "08_context"),
    T("은닉 상태", "hidden state", "08_context", ("히든 스테이트", "숨겨진 상태")),
    T("망각 게이트", "forget gate", "08_context", ("포겟 게이트",)),
    T("단어 임베딩", "word embedding", "08_context", ("워드 임베딩",)),
    T("스킵그램", "skip-gram", "08_context", ("스킵-그램",)),
    T("네거티브 샘플링", "negative sampling", "08_context", ("음성 샘플링", "부정 샘플링")),
    T("문맥 벡터", "context vector", "08_context"),
    T("디코더", "decoder", "08_context"),
    T("교사 강요", "teacher forcing", "08_context", ("티처 포싱",)),
)

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_EXTERNAL_LINK = re.compile(r"\[[^\]]*\]\(https?://[^)]*\)")
_CODE_DIRECTIVES = ("{code", "{literalinclude", "{math", "{raw", "{glue:math")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of a MyST chapter's prose: no front matter, no fenced block whose content is code
    (code cells, literalinclude, math, plain ``` blocks), no `code spans`. Directive fences such as
    ```{figure} or :::{note} keep their text (captions, alt text and admonitions are prose)."""
    lines = text.splitlines()
    out, code, directives, start = [], None, [], 0  # open code fence; stack of open directive fences
    if lines and lines[0].strip() == "---":  # jupytext front matter
        start = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0) + 1
    for number, line in enumerate(lines[start:], start + 1):
        match = _FENCE.match(line)
        fence, info = (match.group(1), match.group(2).strip()) if match else (None, "")
        if code:
            if fence and fence.startswith(code) and not info:
                code = None
            continue
        if fence and not info and directives and fence == directives[-1]:
            directives.pop()                               # end of a directive
        elif fence and info.startswith("{") and not info.startswith(_CODE_DIRECTIVES):
            directives.append(fence)                       # a directive whose body is prose
        elif fence:
            code = fence                                   # code cell, literalinclude, math, plain block
        else:
            out.append((number, _CODE_SPAN.sub("", line)))
    return out


def chapter_files() -> list[Path]:
    """Every numbered chapter file, in book order (book/01_*.md, book/02_*.md, ...), in the toc or not."""
    return sorted(BOOK.glob("[0-9][0-9]_*.md"))


def toc_chapters() -> list[str]:
    """File stems of the numbered chapters listed in `_toc.yml`, in toc order (e.g. ``02_basics``)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [Path(ch["file"]).name for part in toc["parts"] for ch in part.get("chapters", [])]
    return [f for f in files if re.match(r"\d\d_", f)]


def chapter_label(stem: str) -> str:
    """The chapter's top label, e.g. ``ch-basics`` from the ``(ch-basics)=`` line of book/02_basics.md."""
    text = (BOOK / f"{stem}.md").read_text(encoding="utf-8")
    return re.search(r"^\((ch-[\w-]+)\)=\s*$", text, flags=re.M).group(1)


def markdown_table(chapters: list[str]) -> str:
    """The glossary as a MyST table, Korean alphabetical order, for the terms whose first chapter is in
    `chapters` (file stems of the chapters in the book's table of contents); each chapter is a {ref} link.
    The last column lists the variants other books use, so a reader who searches "프로브" lands on 탐침."""
    rows = ["| 한국어 | English | 처음 나오는 장 | 다른 책의 표기 |", "|---|---|---|---|"]
    for term in sorted(TERMS, key=lambda t: t.korean):
        if term.chapter in chapters:
            others = ", ".join(term.variants) or "–"
            rows.append(f"| {term.korean} | {term.english} | {{numref}}`{{number}}장 {{name}} <{chapter_label(term.chapter)}>` "
                        f"| {others} |")
    return "\n".join(rows)


def variant_hits(text: str) -> list[tuple[int, str, str]]:
    """(line number, variant, standard term) for every non-standard variant in a chapter's prose; a variant
    inside a longer one found on the same line ("레이어" in "히든 레이어") is reported once, as the longer.
    The text of a link to an outside page (a video or paper title) is not checked: it is the author's wording."""
    hits = []
    for number, line in prose_lines(text):
        line = _EXTERNAL_LINK.sub("", line)            # titles of other people's works keep their own words
        found = [(v, t.korean) for t in TERMS for v in t.variants if v in line]
        hits += [(number, v, k) for v, k in found if not any(v != w and v in w for w, _ in found)]
    return hits


def _note_sources(app, docname, source):
    """Sphinx re-reads (and so re-executes) the glossary page when this list or the toc changes."""
    if docname == "book/glossary":
        app.env.note_dependency(__file__)
        app.env.note_dependency(str(REPO / "_toc.yml"))


def setup(app):
    """Sphinx extension (listed in _config.yml) that ties book/glossary.md to this file."""
    app.connect("source-read", _note_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
