"""One validated, frozen configuration object.

Defaults suit the 2021-22 Russia/Ukraine/Belarus/Baltic theatre; a TOML file (``crisismap.toml``, or
the path in ``$CRISIS_MAP_CONFIG``) can override any field under a ``[geo]`` table.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from geo.errors import ConfigError

DEFAULT_THEATRE: tuple[str, ...] = ("UA", "BY", "RU", "PL", "LT", "LV", "EE", "MD", "RO")


@dataclass(frozen=True, slots=True)
class Config:
    """Settings every stage reads; build with `load_config` or `Config()` for the defaults."""

    theatre: tuple[str, ...] = DEFAULT_THEATRE
    fuzzy_min_score: float = 88.0
    fuzzy_min_length: int = 6
    online_fallback: bool = False
    geocoder_user_agent: str = "crisis-map/0.1 (https://github.com/crisis-map)"
    geocoder_url: str = "https://nominatim.openstreetmap.org"
    geocoder_timeout_s: float = 10.0
    geocoder_min_delay_s: float = 1.0
    geocoder_cache: str = ""
    max_article_bytes: int = 10_000_000

    def __post_init__(self) -> None:
        for code in self.theatre:
            if len(code) != 2 or not code.isalpha() or not code.isupper():
                raise ConfigError(f"theatre country {code!r} is not an ISO 3166-1 alpha-2 code")
        if not 0.0 <= self.fuzzy_min_score <= 100.0:
            raise ConfigError("fuzzy_min_score must be between 0 and 100")
        if self.geocoder_min_delay_s < 1.0:
            # Nominatim usage policy: at most one request per second.
            raise ConfigError("geocoder_min_delay_s must be at least 1 second")
        if self.geocoder_timeout_s <= 0:
            raise ConfigError("geocoder_timeout_s must be positive")

    def with_theatre(self, theatre: tuple[str, ...]) -> Config:
        return replace(self, theatre=theatre)


def parse_theatre(value: str) -> tuple[str, ...]:
    """Parse a ``--theatre`` value: ``none`` or comma-separated ISO codes.

    >>> parse_theatre("ua, by")
    ('UA', 'BY')
    >>> parse_theatre("none")
    ()
    """
    if value.strip().lower() == "none":
        return ()
    codes = tuple(code.strip().upper() for code in value.split(",") if code.strip())
    Config(theatre=codes)  # validates
    return codes


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read a TOML config file; a missing default file means the defaults."""
    explicit = path is not None or "CRISIS_MAP_CONFIG" in os.environ
    chosen = Path(path or os.environ.get("CRISIS_MAP_CONFIG", "crisismap.toml"))
    if not chosen.exists():
        if explicit:
            raise ConfigError(f"config file not found: {chosen}")
        return Config()
    try:
        table: dict[str, Any] = tomllib.loads(chosen.read_text(encoding="utf-8")).get("geo", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{chosen}: not valid TOML: {exc}") from exc
    known = {f.name for f in fields(Config)}
    unknown = set(table) - known
    if unknown:
        raise ConfigError(f"{chosen}: unknown settings {sorted(unknown)}")
    if "theatre" in table:
        table["theatre"] = tuple(str(c).upper() for c in table["theatre"])
    try:
        return Config(**table)
    except TypeError as exc:
        raise ConfigError(f"{chosen}: {exc}") from exc
