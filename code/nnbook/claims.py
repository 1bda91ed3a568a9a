"""Claim checks: a sentence of the book that says what a model, neuron, probe or run does, stated in code.

A chapter puts a ``remove-cell`` cell right under the sentence::

    nb.claims.check(all(abs(r.final_ssr - ssr_of_mean) < 1e-3 for r in failed),
                    "실패한 시작점은 모두 세 점의 평균을 예측하는 곳에 멈춥니다.",
                    worst=max(abs(r.final_ssr - ssr_of_mean) for r in failed))

When a retrained model or a changed cell no longer supports the sentence, the cell raises
:class:`ClaimError`, myst-nb reports it, and the ``-W`` build fails with the sentence quoted. If a check
fails, the sentence was wrong: change the sentence, not the threshold.
"""
from __future__ import annotations

CHECKED: list[str] = []   # claims that held in this kernel, in order (a chapter may print them for review)


class ClaimError(AssertionError):
    """The data no longer support a sentence of the book."""


def check(condition: bool, claim: str, **evidence) -> None:
    """Raise :class:`ClaimError` quoting ``claim`` unless ``condition`` is true.

    Args:
        condition: the sentence's condition computed from the data (anything with a truth value; numpy
            booleans are fine).
        claim: the sentence, exactly as the reader sees it (Korean).
        **evidence: numbers to print with a failure, e.g. ``accuracy=0.91`` (shown as ``accuracy = 0.91``).
    Raises: ClaimError (an AssertionError) naming the claim and the evidence; ValueError for an empty claim.
    """
    if not claim or not claim.strip():
        raise ValueError("a claim check needs the sentence it checks")
    if not bool(condition):
        details = "".join(f"\n  {k} = {v!r}" for k, v in evidence.items())
        raise ClaimError(f"데이터가 이 문장을 뒷받침하지 않습니다 (claim no longer holds):\n  «{claim}»{details}")
    CHECKED.append(claim)
