"""One root error; each subclass also inherits the builtin a caller would expect to catch."""

from __future__ import annotations


class GeoError(Exception):
    """Root of every error Crisis Map raises on purpose."""


class ArticleError(GeoError, ValueError):
    """An input file or record could not be read as an article."""


class ConfigError(GeoError, ValueError):
    """A configuration value is invalid."""


class GazetteerError(GeoError, LookupError):
    """The gazetteer data is missing or malformed."""


class GeocoderError(GeoError, RuntimeError):
    """The online geocoder failed (timeout, HTTP error, bad reply)."""


class GoldFileError(GeoError, ValueError):
    """A gold (evaluation) file is malformed."""


class StoreError(GeoError, RuntimeError):
    """A file is not an event store (or a newer one), or the store could not be opened or written."""


class BoundariesError(GeoError, LookupError):
    """The country boundaries file is missing or malformed."""


class EngineError(GeoError, RuntimeError):
    """An extraction engine could not start: dask missing, a scheduler out of reach."""


class ExportError(GeoError, ValueError):
    """An export cannot be made as asked: unknown format, or an output path that cannot be written."""
