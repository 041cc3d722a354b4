"""Reading articles from files: the I/O edge where text files, HTML, JSONL and manifests become Articles.

Every later stage trusts an `Article`, so this module is where messy input is met: odd encodings,
scraped HTML, broken JSON lines, a manifest with typos. One bad item never stops the others; each
becomes a `ReadProblem` handled by the caller's policy (``on_invalid="raise" | "warn" | "skip"``).

Formats: ``.txt``/``.md`` (optional ``---`` front matter), ``.html``/``.htm`` (main text only, see
`geo.html_text`), ``.jsonl`` (one article per line, streamed) and folders of those. A
``manifest.csv`` (``file,published,outlet,title,url,notes``) beside plain files supplies metadata;
its non-empty cells override front matter and HTML metadata, since it is the curated record.
Without a given date, `geo.pubdate.infer_published` guesses one from the text
(``Article.published_inferred``); bytes become text through `geo.decoding.decode_text`. Those two
concepts live in their own modules; this one only reads, applies metadata and reports problems.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from os import PathLike
from pathlib import Path
from typing import IO, Literal

from geo.decoding import decode_text
from geo.errors import ArticleError
from geo.html_text import extract_html_text, sniff_html_charset
from geo.models import Article
from geo.pubdate import DateInference, infer_published

# `decode_text` (geo.decoding) and `infer_published` / `DateInference` (geo.pubdate) are re-exported:
# they were defined here before those modules were split off, and callers import them from here.
__all__ = ["DateInference", "ReadProblem", "ReadResult", "decode_text", "infer_published",
           "iter_articles", "read_articles"]

logger = logging.getLogger(__name__)

OnInvalid = Literal["raise", "warn", "skip"]
DEFAULT_MAX_BYTES = 10_000_000
TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MANIFEST_NAME = "manifest.csv"
NOT_ARTICLES = frozenset({MANIFEST_NAME, "readme.md"})  # compared lower-case when walking folders
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
class ReadResult:
    """Everything read from some paths: the articles, what failed, and date doubts worth a look."""

    articles: tuple[Article, ...]
    problems: tuple[ReadProblem, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _DateWarning:
    """A doubt about an inferred publication date: not a read failure, so kept apart from problems."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class _Meta:
    """Metadata for one article from one source (front matter, HTML, manifest, JSONL)."""

    id: str | None = None
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None

    def updated(self, other: _Meta) -> _Meta:
        """This metadata with every field `other` knows replaced by other's value."""
        values = {f.name: getattr(other, f.name) or getattr(self, f.name) for f in fields(_Meta)}
        return _Meta(**values)


_Item = Article | ReadProblem | _DateWarning


def read_articles(
    paths: Iterable[str | PathLike[str]],
    *,
    manifest: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_invalid: OnInvalid = "warn",
) -> ReadResult:
    """Read every article under `paths` (files or folders) into memory; see `iter_articles`."""
    articles: list[Article] = []
    problems: list[ReadProblem] = []
    warnings: list[str] = []
    for item in _with_policy(_read_items(paths, manifest, max_bytes), on_invalid):
        if isinstance(item, Article):
            articles.append(item)
        elif isinstance(item, ReadProblem):
            problems.append(item)
        else:
            warnings.append(f"{item.path}: {item.message}")
    return ReadResult(tuple(articles), tuple(problems), tuple(warnings))


def iter_articles(
    paths: Iterable[str | PathLike[str]],
    *,
    manifest: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_invalid: OnInvalid = "warn",
) -> Iterator[Article | ReadProblem]:
    """Yield articles (and problems, unless skipped) one at a time, so huge corpora stream.

    Folders are walked recursively in sorted order, taking only supported suffixes and never
    ``manifest.csv``/``README.md`` or hidden entries. A single path may be passed instead of a list.
    Manifests apply to plain and HTML files; JSONL lines carry their own metadata. Date warnings
    are logged (whatever `on_invalid` says), not yielded; `read_articles` collects them. Options are
    checked at the call; files are read only as the iterator is consumed.
    """
    items = _with_policy(_read_items(paths, manifest, max_bytes), on_invalid)
    return (item for item in items if not isinstance(item, _DateWarning))


def _with_policy(items: Iterator[_Item], on_invalid: OnInvalid) -> Iterator[_Item]:
    """Apply the caller's error policy to each problem and log date warnings (options checked now)."""
    if on_invalid not in ("raise", "warn", "skip"):
        raise ValueError(f"on_invalid must be 'raise', 'warn' or 'skip', not {on_invalid!r}")
    return _apply_policy(items, on_invalid)


def _apply_policy(items: Iterator[_Item], on_invalid: OnInvalid) -> Iterator[_Item]:
    for item in items:
        if isinstance(item, ReadProblem):
            if on_invalid == "raise":
                raise ArticleError(str(item))
            if on_invalid == "warn":
                logger.warning("%s", item)
        elif isinstance(item, _DateWarning):
            logger.warning("%s: %s", item.path, item.message)
        yield item


def _read_items(
    paths: Iterable[str | PathLike[str]], manifest: Path | None, max_bytes: int
) -> Iterator[_Item]:
    if max_bytes <= 0:
        raise ValueError(f"max_bytes must be positive, not {max_bytes}")
    if isinstance(paths, str | PathLike):
        paths = [paths]  # a lone path is a common slip; a str is also an Iterable[str] of letters
    return _read_paths(list(paths), manifest, max_bytes)


def _read_paths(paths: list[str | PathLike[str]], manifest: Path | None, max_bytes: int) -> Iterator[_Item]:
    manifests = _Manifests(manifest)
    yield from manifests.explicit_problems()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in _walk(path):
                yield from _read_file(file, manifests, max_bytes)
        elif not path.exists():
            yield ReadProblem(str(path), None, "file not found")
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            yield ReadProblem(str(path), None, f"unsupported file type ({path.suffix or 'no suffix'})")
        else:
            yield from _read_file(path, manifests, max_bytes)


def _walk(folder: Path) -> list[Path]:
    """Supported article files under `folder`, sorted, without manifests, READMEs or hidden entries."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if (path.suffix.lower() in SUPPORTED_SUFFIXES and path.name.lower() not in NOT_ARTICLES
                and not any(part.startswith(".") for part in relative.parts) and path.is_file()):
            found.append((relative.as_posix(), path))
    return [path for _, path in sorted(found)]


def _read_file(path: Path, manifests: _Manifests, max_bytes: int) -> Iterator[_Item]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, max_bytes)
        return
    yield from manifests.problems_for(path)
    data = _read_bytes(path, max_bytes)
    if isinstance(data, ReadProblem):
        yield data
        return
    is_html = suffix in HTML_SUFFIXES
    text = decode_text(data, declared=sniff_html_charset(data) if is_html else None)
    if text is not None and not text.strip():
        yield ReadProblem(str(path), None, "file is empty")
        return
    if text is None:
        yield ReadProblem(str(path), None, "binary file (not text)")
        return
    if is_html:
        page = extract_html_text(text)
        body, meta = page.text, _Meta(title=page.title, published=_parse_date(page.published))
        if not body:
            yield ReadProblem(str(path), None, "no main text found in the HTML page")
            return
    else:
        meta, body, front_problems = _split_front_matter(text)
        yield from (ReadProblem(str(path), line, message) for line, message in front_problems)
        if not body.strip():
            yield ReadProblem(str(path), None, "file has no text after its front matter")
            return
    meta = meta.updated(manifests.meta_for(path))
    yield from _build_article(str(path), meta.id or str(path), body, meta)


def _build_article(path: str, article_id: str, text: str, meta: _Meta) -> Iterator[_Item]:
    """Make the Article, inferring its publication date from the text when no metadata gave one."""
    published, inferred = meta.published, False
    if published is None:
        inference = infer_published(text)
        published, inferred = inference.date, inference.date is not None
        yield from (_DateWarning(path, warning) for warning in inference.warnings)
    yield Article(id=article_id, text=text, title=meta.title, published=published,
                  published_inferred=inferred, source=meta.source, url=meta.url, path=path)


def _read_bytes(path: Path, max_bytes: int) -> bytes | ReadProblem:
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


def _parse_date(value: object) -> dt.date | None:
    """An ISO date (``2021-11-30``, or the date part of an ISO timestamp as written, no time-zone
    conversion), else None."""
    match = _ISO_DATE.fullmatch(value) if isinstance(value, str) else None
    try:
        return dt.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        return None


def _clean(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _split_front_matter(text: str) -> tuple[_Meta, str, list[tuple[int, str]]]:
    """Split a leading ``---`` block of ``key: value`` lines from the body it describes.

    Returns (metadata, body, problems as (line, message)); a block that is not all ``key: value``
    lines, or is never closed, is not front matter and stays part of the text.
    """
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return _Meta(), text, []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return _Meta(), text, []
    values: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines[1:end], start=2):
        key, colon, value = line.partition(":")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not colon or not _FRONT_MATTER_KEY.fullmatch(key.strip()):
            return _Meta(), text, []
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip().lower()] = (number, value)
    problems = []
    number, raw_date = values.get("published") or values.get("date") or (0, "")
    published = _parse_date(raw_date)
    if raw_date and published is None:
        problems.append((number, f"front matter line {number}: bad published date '{raw_date}'"))
    meta = _Meta(id=_clean(values.get("id", (0, ""))[1]), title=_clean(values.get("title", (0, ""))[1]),
                 published=published, url=_clean(values.get("url", (0, ""))[1]),
                 source=_clean((values.get("source") or values.get("outlet") or (0, ""))[1]))
    return meta, "\n".join(lines[end + 1:]).lstrip("\n"), problems


class _Manifests:
    """Manifest metadata by resolved file path: the explicit manifest, or each folder's own."""

    def __init__(self, explicit: Path | None) -> None:
        self._explicit = Path(explicit) if explicit is not None else None
        self._loaded: dict[Path, tuple[dict[Path, _Meta], list[ReadProblem]]] = {}
        self._reported: set[Path] = set()

    def explicit_problems(self) -> Iterator[ReadProblem]:
        if self._explicit is not None:
            yield from self._problems(self._explicit)

    def problems_for(self, file: Path) -> Iterator[ReadProblem]:
        """Problems of the manifest that covers `file`, the first time that manifest is used."""
        yield from self._problems(self._manifest_path(file))

    def meta_for(self, file: Path) -> _Meta:
        entries, _ = self._load(self._manifest_path(file))
        return entries.get(file.resolve(), _Meta())

    def _manifest_path(self, file: Path) -> Path:
        return self._explicit if self._explicit is not None else file.parent / MANIFEST_NAME

    def _problems(self, manifest: Path) -> Iterator[ReadProblem]:
        key = manifest.resolve()
        if key not in self._reported:
            self._reported.add(key)
            yield from self._load(manifest)[1]

    def _load(self, manifest: Path) -> tuple[dict[Path, _Meta], list[ReadProblem]]:
        key = manifest.resolve()
        if key not in self._loaded:
            explicit = self._explicit is not None
            self._loaded[key] = _load_manifest(manifest) if explicit or manifest.is_file() else ({}, [])
        return self._loaded[key]


def _load_manifest(manifest: Path) -> tuple[dict[Path, _Meta], list[ReadProblem]]:
    """Parse a manifest CSV into metadata by resolved file path, with one problem per bad row."""
    where = str(manifest)
    if not manifest.is_file():
        return {}, [ReadProblem(where, None, "manifest file not found")]
    data = _read_bytes(manifest, DEFAULT_MAX_BYTES)
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
) -> tuple[dict[Path, _Meta], list[ReadProblem]]:
    where = str(manifest)
    if "file" not in (reader.fieldnames or []):
        return {}, [ReadProblem(where, None, f"{manifest.name} has no 'file' column")]
    entries: dict[Path, _Meta] = {}
    problems: list[ReadProblem] = []
    for row in reader:
        line, name = reader.line_num, _clean(row.get("file")) or ""
        if not name and not any(isinstance(v, str) and v.strip() for v in row.values()):
            continue  # a row of empty cells, as spreadsheets leave behind
        prefix = f"{manifest.name} row {line}"
        target = (manifest.parent / name).resolve()
        if not name or not target.is_file():
            problems.append(ReadProblem(where, line, f"{prefix}: file not found: {name or '(empty)'}"))
            continue
        raw_date = _clean(row.get("published")) or ""
        published = _parse_date(raw_date)
        if raw_date and published is None:
            problems.append(ReadProblem(where, line, f"{prefix}: bad published date '{raw_date}'"))
        if target in entries:
            problems.append(ReadProblem(where, line, f"{prefix}: {name} is listed twice; first row kept"))
            continue
        entries[target] = _Meta(title=_clean(row.get("title")), published=published,
                                source=_clean(row.get("outlet") or row.get("source")),
                                url=_clean(row.get("url")))
    return entries, problems


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[_Item]:
    """Stream a JSONL file line by line; `max_bytes` bounds each line, not the whole file."""
    where = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ReadProblem(where, None, f"cannot read file ({exc.strerror or exc})")
        return
    with handle:
        empty = True
        for number, raw in enumerate(_bounded_lines(handle, max_bytes), start=1):
            if raw is None:
                yield ReadProblem(where, number, f"line {number}: over the {max_bytes / 1e6:.1f} MB limit")
                continue
            raw = raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw
            if not raw.strip():
                continue
            empty = False
            record = _parse_jsonl_line(raw, number)
            if isinstance(record, str):
                yield ReadProblem(where, number, f"line {number}: {record}")
                continue
            meta, text, problems = record
            yield from (ReadProblem(where, number, f"line {number}: {p}") for p in problems)
            yield from _build_article(where, meta.id or f"{where}:{number}", text, meta)
    if empty:
        yield ReadProblem(where, None, "file is empty")


def _bounded_lines(handle: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """Lines of a binary file; None for a line over `limit` bytes, which is skipped, never held whole."""
    while line := handle.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := handle.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def _parse_jsonl_line(raw: bytes, number: int) -> tuple[_Meta, str, list[str]] | str:
    """One JSONL record as (metadata, text, non-fatal problems), or why it cannot be an article."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "not valid UTF-8 (JSON Lines must be UTF-8)"
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg})"
    except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number, or nesting too deep
        return f"not valid JSON ({type(exc).__name__})"
    if not isinstance(record, dict):
        return "not a JSON object"
    text = record.get("text")
    if text is None:
        return "missing 'text'"
    if not isinstance(text, str):
        return "'text' is not a string"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return "'text' is empty"
    raw_date, problems = record.get("published"), []
    published = _parse_date(raw_date)
    if raw_date not in (None, "") and published is None:
        problems.append(f"bad published date '{raw_date}'")
    record_id = record.get("id")
    meta = _Meta(id=None if record_id in (None, "") else str(record_id), title=_clean(record.get("title")),
                 published=published, source=_clean(record.get("source") or record.get("outlet")),
                 url=_clean(record.get("url")))
    return meta, text, problems
