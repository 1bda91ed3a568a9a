"""nnbook: the code the chapters of 신경망의 내부 import.

Every chapter does ``import nnbook as nb`` and reaches the submodules as ``nb.data``,
``nb.models``, ``nb.zoo`` ... so the book shows the one implementation that actually runs.
"""
from . import data, models, train, zoo, preprocess  # noqa: F401

__all__ = ["data", "models", "train", "zoo", "preprocess"]
