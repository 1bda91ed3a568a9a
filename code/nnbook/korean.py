"""Korean particles (조사) after computed values: "0.50으로", "93.5%를", "시드 0을", "60,000은".

A glued number cannot know which particle the sentence writes after it, so chapters glue the value
*with* its particle: ``nb.korean.glue("acc_josa", f"{acc:.1%}", "을/를")`` -> "93.5%를".
The particle follows how the value is *read*: digits are read in Sino-Korean (영 일 이 삼 사 오 육 칠 팔 구;
영/일/삼/육/칠/팔 end in a consonant, 일/칠/팔 in ㄹ, which takes 로), an integer by its largest unit
(10 십, 100 백, 1,000 천, 10,000 만), decimals digit by digit ("0.50" = 영 점 오 영), "%" as 퍼센트.
The reading of numbers comes from es-hangul's ``number_to_hangul`` and the particle choice from its
``josa`` (the Python port of toss/es-hangul); this module only finds the part of a value that is read last.
"""
from __future__ import annotations

import re

from es_hangul import josa as _josa
from es_hangul import number_to_hangul

PARTICLES = ("이/가", "을/를", "은/는", "으로/로", "와/과", "이나/나", "이란/란", "이라/라", "이에요/예요",
             "으로서/로서", "으로써/로써", "으로부터/로부터")
DIGITS = "영일이삼사오육칠팔구"
# how a unit or symbol written after a number is read (only its last syllable matters)
UNITS = {"%": "퍼센트", "%p": "퍼센트포인트", "px": "픽셀", "ms": "밀리초", "s": "초", "µs": "마이크로초",
         "KB": "킬로바이트", "MB": "메가바이트", "GB": "기가바이트", "×": "배", "x": "배", "°": "도"}
_NUMBER = re.compile(r"([+\-−]?[\d,]*\.?\d+(?:[eE][+\-−]?\d+)?)\s*(%p|%|px|ms|µs|s|KB|MB|GB|×|x|°)?$")


def reading(text: str) -> str:
    """The Korean reading of the end of ``text`` (enough to choose a particle).

    Args: text: a formatted value ("0.50", "93.5%", "60,000", "1e-06"), a Hangul word, or an all-capital
        Latin abbreviation ("ReLU" is not accepted: write its Korean name or glue the particle by hand).
    Returns: a Hangul string whose last syllable is how ``text`` ends when read aloud.
    Raises: ValueError for an empty text or an ending this module cannot read (e.g. a lower-case Latin word).
    """
    text = text.strip()
    if not text:
        raise ValueError("empty text has no reading")
    m = _NUMBER.search(text)
    if m:
        number, unit = m.group(1), m.group(2)
        if unit:
            return UNITS[unit]
        number = number.replace(",", "").replace("−", "-")
        if re.search(r"[eE]", number):                      # 1e-06: read the exponent's last digit
            return DIGITS[int(number[-1])]
        if "." in number:                                   # decimals are read digit by digit
            return DIGITS[int(number[-1])]
        return number_to_hangul(abs(int(number)))
    last = text[-1]
    if "가" <= last <= "힣":
        return last
    if re.search(r"[A-Z]$", text) and re.fullmatch(r"[A-Z]+", text.split()[-1]):
        return text.split()[-1]                             # es-hangul reads all-capital abbreviations
    raise ValueError(f"cannot tell how {text!r} is read; write the particle by hand")


def josa(text: str, particle: str) -> str:
    """``text`` followed by the form of ``particle`` that fits how ``text`` is read.

    Args: text: see :func:`reading`. particle: one of :data:`PARTICLES`, e.g. ``"을/를"``.
    Returns: e.g. ``josa("0.50", "으로/로") == "0.50으로"``, ``josa("93.5%", "을/를") == "93.5%를"``.
    Raises: ValueError for an unknown particle or an unreadable text.
    """
    if particle not in PARTICLES:
        raise ValueError(f"unknown particle {particle!r}; use one of {PARTICLES}")
    said = reading(text)
    if re.fullmatch(r"[A-Z]+", said):
        return text + _josa(said, particle)[len(said):]
    return text + _josa.pick(said, particle)


def glue(name: str, text: str, particle: str) -> str:
    """``myst_nb.glue(name, josa(text, particle), display=False)``; returns the glued string."""
    from myst_nb import glue as _glue
    value = josa(text, particle)
    _glue(name, value, display=False)
    return value


# particle forms that may follow a number directly, and the pair each belongs to
_FORMS = {"이": "이/가", "가": "이/가", "을": "을/를", "를": "을/를", "은": "은/는", "는": "은/는",
          "와": "와/과", "과": "와/과", "으로": "으로/로", "로": "으로/로"}
_AFTER_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?(?:[eE][+\-−]?\d+)?(?:%p|%)?)(으로|로|이|가|을|를|은|는|와|과)"
                           r"(?=[\s.,;:!?)\]」』\"'”’]|$)")


def particle_mismatches(text: str) -> list[tuple[str, str]]:
    """Every "number + particle" in ``text`` whose particle does not fit how the number is read.

    Only a particle standing alone after the number is checked ("3이 " yes, "3이라는" and "3개" no).
    Args: text: visible text of a page or a demo message.
    Returns: ``(found, expected)`` pairs, e.g. ``[("0.5로", "0.5로")]`` never, ``[("0를", "0을")]``.
    """
    out = []
    for m in _AFTER_NUMBER.finditer(text):
        number, form = m.group(1), m.group(2)
        expected = josa(number, _FORMS[form])
        if expected != number + form:
            out.append((number + form, expected))
    return out
