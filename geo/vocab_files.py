"""Reading the vocabulary files of data/vocab/ (TOML): parsed once per file and parser, then shared."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")


def load_vocab_file(path: Path, parse: Callable[[Mapping[str, Any]], T]) -> T:
    """`parse` applied to the TOML table of `path`, cached per (path, parse): callers on hot paths
    (one call per place mention) get the same object back without reading the file again."""
    return cast(T, _parsed(path, parse))


@lru_cache(maxsize=16)  # lru_cache erases the result type, hence the typed wrapper above
def _parsed(path: Path, parse: Callable[[Mapping[str, Any]], Any]) -> Any:
    return parse(tomllib.loads(path.read_text(encoding="utf-8")))
