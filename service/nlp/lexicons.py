"""Reads the YAML data files under ``service/data/`` and checks their common shapes.

Every loader (dates, quantities, entity rules, stance lexicons) reads its file with
:func:`load_yaml` and checks word lists and mappings with :func:`str_list` and
:func:`mapping`, once, at start-up: a malformed file raises :class:`DataFileError`
with a message that names the file and the key, so a bad data file fails the start,
never a request.

``where`` names the mapping a key is read from: a file name (``"dates.yaml"``) or a
file and a path inside it (``"dates.yaml: english"``, built with :func:`at`).
"""
from __future__ import annotations

import os

import yaml

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data")


class DataFileError(ValueError):
    """A data file under service/data/ is malformed: raised at start-up, never during a request."""


def at(where: str, key) -> str:
    """The location of ``key`` inside the mapping at ``where``: ``dates.yaml: english.months``."""
    return f"{where}.{key}" if ":" in where else f"{where}: {key}"


def load_yaml(path: str) -> dict:
    """The top-level mapping of the YAML file at ``path``; a parse error or another shape at
    the top level raises :class:`DataFileError` naming the file."""
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as fh:
        try:
            data = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise DataFileError(f"{name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{name}: top level must be a mapping, not {type(data).__name__}")
    return data


def str_list(d: dict, key, where: str, *, optional: bool = False, non_empty: bool = False) -> list:
    """``d[key]``: a list of strings that are not blank (with at least one when ``non_empty``).

    A missing key (or null) is an error, or ``[]`` when ``optional``."""
    v = d.get(key)
    if v is None:
        if optional:
            return []
        raise DataFileError(f"{at(where, key)} is missing")
    if not isinstance(v, list) or not all(isinstance(w, str) and w.strip() for w in v) or (non_empty and not v):
        raise DataFileError(f"{at(where, key)} must be a {'non-empty ' if non_empty else ''}list of non-empty strings")
    return v


def mapping(d: dict, key, where: str, *, optional: bool = False, non_empty: bool = False) -> dict:
    """``d[key]``: a mapping (with at least one entry when ``non_empty``).

    A missing key (or null) is an error, or ``{}`` when ``optional``."""
    v = d.get(key)
    if v is None:
        if optional:
            return {}
        raise DataFileError(f"{at(where, key)} is missing")
    if not isinstance(v, dict) or (non_empty and not v):
        raise DataFileError(f"{at(where, key)} must be a {'non-empty ' if non_empty else ''}mapping")
    return v
