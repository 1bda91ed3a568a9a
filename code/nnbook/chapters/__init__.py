"""Analyses that belong to one chapter each (imported by that chapter as ``from nnbook.chapters import ...``).

They build on the core modules (:mod:`nnbook.data`, :mod:`nnbook.models`, :mod:`nnbook.zoo` ...) and never
on each other, except where a chapter reuses an earlier chapter's tool (probing uses featurevis).
"""
