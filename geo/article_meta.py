"""Article metadata from files: ``---`` front matter, ``manifest.csv`` files and ISO dates.

`geo.articles` reads article bodies; this module reads what is said *about* them (id, title, published
date, outlet, url) as one `Meta` record per source, which the reader layers: HTML or front matter
first, then the manifest, whose non-empty cells win because it is the curated record. Kept apart
because metadata has its own formats, its own failure modes (a manifest row naming a missing file, a
date typo) and its own tests, and because the reader is easier to follow without them.

Manifest problems are `ReadProblem`s, the same records the reader yields, so callers see one kind of
problem whatever its source (front-matter problems come back as (line, message) for the reader to
place). `ReadProblem` and the bounded `read_bytes` live here because manifest loading needs them and
`geo.articles` imports this module; `geo.articles` re-exports `ReadProblem` as part of its public API.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from geo.decoding import decode_text

__all__ = ["DEFAULT_MAX_BYTES", "MANIFEST_NAME", "Manifests", "Meta", "ReadProblem", "clean_value",
           "parse_date", "read_bytes", "split_front_matter"]

DEFAULT_MAX_BYTES = 10_000_000  # per article file by default; always the limit for a manifest
MANIFEST_NAME = "manifest.csv"
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?\s*")
_FRONT_MATTER_KEY = re.compile(r"[A-Za-z_][\w-]*")


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """One thing that could not be read, as a sentence a user can act on.

    `line` is the JSONL line, the front-matter line or the manifest row (counted as a spreadsheet
    shows it: the header is row 1); None when the problem concerns the whole file.
    """

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Meta:
    """Metadata for one article from one source (front matter, HTML, manifest, JSONL)."""

    id: str | None = None
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None

    def updated(self, other: Meta) -> Meta:
        """This metadata with every field `other` knows replaced by other's value.

        >>> Meta(title="Draft", source="Reuters").updated(Meta(title="Final")).title
        'Final'
        """
        values = {f.name: getattr(other, f.name) or getattr(self, f.name) for f in fields(Meta)}
        return Meta(**values)


def read_bytes(path: Path, max_bytes: int) -> bytes | ReadProblem:
    """The file's bytes, unless it is over `max_bytes` (checked before reading) or unreadable."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return ReadProblem(str(path), None, _too_big(size, max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return ReadProblem(str(path), None, f"cannot read file ({exc.strerror or exc})")
    if len(data) > max_bytes:  # it grew since stat()
        return ReadProblem(str(path), None, _too_big(len(data), max_bytes))
    return data


def _too_big(size: int, max_bytes: int) -> str:
    return f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit"


def parse_date(value: object) -> dt.date | None:
    """An ISO date (``2021-11-30``, or the date part of an ISO timestamp as written, no time-zone
    conversion), else None.

    >>> parse_date("2021-11-30T23:30:00-05:00")
    datetime.date(2021, 11, 30)
    >>> parse_date("30 November 2021") is None, parse_date("2021-02-30") is None
    (True, True)
    """
    match = _ISO_DATE.fullmatch(value) if isinstance(value, str) else None
    try:
        return dt.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        return None


def clean_value(value: object) -> str | None:
    """A metadata value stripped of surrounding space; None if blank or not a string.

    >>> clean_value("  Reuters "), clean_value("   "), clean_value(42)
    ('Reuters', None, None)
    """
    return value.strip() or None if isinstance(value, str) else None


def split_front_matter(text: str) -> tuple[Meta, str, list[tuple[int, str]]]:
    r"""Split a leading ``---`` block of ``key: value`` lines from the body it describes.

    Returns (metadata, body, problems as (line, message)); a block that is not all ``key: value``
    lines, or is never closed, is not front matter and stays part of the text.

    >>> meta, body, problems = split_front_matter("---\ntitle: 'Strike'\ndate: 2022-03-01\n---\nText.")
    >>> meta.title, meta.published, body, problems
    ('Strike', datetime.date(2022, 3, 1), 'Text.', [])
    """
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return Meta(), text, []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return Meta(), text, []
    values: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines[1:end], start=2):
        key, colon, value = line.partition(":")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not colon or not _FRONT_MATTER_KEY.fullmatch(key.strip()):
            return Meta(), text, []
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip().lower()] = (number, value)
    problems = []
    number, raw_date = values.get("published") or values.get("date") or (0, "")
    published = parse_date(raw_date)
    if raw_date and published is None:
        problems.append((number, f"front matter line {number}: bad published date '{raw_date}'"))
    meta = Meta(id=clean_value(values.get("id", (0, ""))[1]),
                title=clean_value(values.get("title", (0, ""))[1]),
                published=published, url=clean_value(values.get("url", (0, ""))[1]),
                source=clean_value((values.get("source") or values.get("outlet") or (0, ""))[1]))
    return meta, "\n".join(lines[end + 1:]).lstrip("\n"), problems


class Manifests:
    """Manifest metadata by resolved file path: the explicit manifest, or each folder's own.

    Each manifest is loaded once, when first needed, and its problems are reported once.
    """

    def __init__(self, explicit: Path | None) -> None:
        self._explicit = Path(explicit) if explicit is not None else None
        self._loaded: dict[Path, tuple[dict[Path, Meta], list[ReadProblem]]] = {}
        self._reported: set[Path] = set()

    def explicit_problems(self) -> Iterator[ReadProblem]:
        if self._explicit is not None:
            yield from self._problems(self._explicit)

    def problems_for(self, file: Path) -> Iterator[ReadProblem]:
        """Problems of the manifest that covers `file`, the first time that manifest is used."""
        yield from self._problems(self._manifest_path(file))

    def meta_for(self, file: Path) -> Meta:
        entries, _ = self._load(self._manifest_path(file))
        return entries.get(file.resolve(), Meta())

    def _manifest_path(self, file: Path) -> Path:
        return self._explicit if self._explicit is not None else file.parent / MANIFEST_NAME

    def _problems(self, manifest: Path) -> Iterator[ReadProblem]:
        key = manifest.resolve()
        if key not in self._reported:
            self._reported.add(key)
            yield from self._load(manifest)[1]

    def _load(self, manifest: Path) -> tuple[dict[Path, Meta], list[ReadProblem]]:
        key = manifest.resolve()
        if key not in self._loaded:
            explicit = self._explicit is not None
            self._loaded[key] = _load_manifest(manifest) if explicit or manifest.is_file() else ({}, [])
        return self._loaded[key]


def _load_manifest(manifest: Path) -> tuple[dict[Path, Meta], list[ReadProblem]]:
    """Parse a manifest CSV into metadata by resolved file path, with one problem per bad row."""
    where = str(manifest)
    if not manifest.is_file():
        return {}, [ReadProblem(where, None, "manifest file not found")]
    data = read_bytes(manifest, DEFAULT_MAX_BYTES)
    if isinstance(data, ReadProblem):
        return {}, [data]
    text = decode_text(data)
    if text is None:
        return {}, [ReadProblem(where, None, "manifest is a binary file (not text)")]
    try:
        return _parse_manifest(manifest, csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:
        return {}, [ReadProblem(where, None, f"{manifest.name} is not valid CSV ({exc})")]


def _parse_manifest(
    manifest: Path, reader: csv.DictReader[str]
) -> tuple[dict[Path, Meta], list[ReadProblem]]:
    where = str(manifest)
    if "file" not in (reader.fieldnames or []):
        return {}, [ReadProblem(where, None, f"{manifest.name} has no 'file' column")]
    entries: dict[Path, Meta] = {}
    problems: list[ReadProblem] = []
    for row in reader:
        line, name = reader.line_num, clean_value(row.get("file")) or ""
        if not name and not any(isinstance(v, str) and v.strip() for v in row.values()):
            continue  # a row of empty cells, as spreadsheets leave behind
        prefix = f"{manifest.name} row {line}"
        target = (manifest.parent / name).resolve()
        if not name or not target.is_file():
            problems.append(ReadProblem(where, line, f"{prefix}: file not found: {name or '(empty)'}"))
            continue
        raw_date = clean_value(row.get("published")) or ""
        published = parse_date(raw_date)
        if raw_date and published is None:
            problems.append(ReadProblem(where, line, f"{prefix}: bad published date '{raw_date}'"))
        if target in entries:
            problems.append(ReadProblem(where, line, f"{prefix}: {name} is listed twice; first row kept"))
            continue
        entries[target] = Meta(title=clean_value(row.get("title")), published=published,
                               source=clean_value(row.get("outlet") or row.get("source")),
                               url=clean_value(row.get("url")))
    return entries, problems
