"""Reading articles from files: the I/O edge where text files, HTML, JSONL and manifests become Articles.

Every later stage trusts an `Article`, so this module is where messy input is met: odd encodings,
scraped HTML, broken JSON lines, a manifest with typos. One bad item never stops the others; each
becomes a `ReadProblem` handled by the caller's policy (``on_invalid="raise" | "warn" | "skip"``).

Formats: ``.txt``/``.md`` (optional ``---`` front matter), ``.html``/``.htm`` (main text only, see
`geo.html_text`), ``.jsonl`` (one article per line, streamed) and folders of those. A
``manifest.csv`` (``file,published,outlet,title,url,notes``) beside plain files supplies metadata;
its non-empty cells override front matter and HTML metadata, since it is the curated record.
Without a given date, `geo.pubdate.infer_published` guesses one from the text
(``Article.published_inferred``); bytes become text through `geo.decoding.decode_text`; front matter
and manifests are parsed by `geo.article_meta`. Those concepts live in their own modules; this one
only reads, applies metadata and reports problems.
"""

from __future__ import annotations

import codecs
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import IO, Literal

from geo.article_meta import (
    DEFAULT_MAX_BYTES,
    MANIFEST_NAME,
    Manifests,
    Meta,
    ReadProblem,
    clean_value,
    parse_date,
    read_bytes,
    split_front_matter,
)
from geo.decoding import decode_text
from geo.errors import ArticleError
from geo.html_text import extract_html_text, sniff_html_charset
from geo.models import Article
from geo.pubdate import DateInference, infer_published

# Re-exported because they were defined here before their modules were split off and callers import
# them from here: `decode_text` (geo.decoding), `infer_published` / `DateInference` (geo.pubdate) and
# `ReadProblem` (geo.article_meta, which reports manifest problems with it too).
__all__ = ["DateInference", "ReadProblem", "ReadResult", "decode_text", "infer_published",
           "iter_articles", "read_articles"]

logger = logging.getLogger(__name__)

OnInvalid = Literal["raise", "warn", "skip"]
TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
NOT_ARTICLES = frozenset({MANIFEST_NAME, "readme.md"})  # compared lower-case when walking folders


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
    manifests = Manifests(manifest)
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


def _read_file(path: Path, manifests: Manifests, max_bytes: int) -> Iterator[_Item]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, max_bytes)
        return
    yield from manifests.problems_for(path)
    data = read_bytes(path, max_bytes)
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
        body, meta = page.text, Meta(title=page.title, published=parse_date(page.published))
        if not body:
            yield ReadProblem(str(path), None, "no main text found in the HTML page")
            return
    else:
        meta, body, front_problems = split_front_matter(text)
        yield from (ReadProblem(str(path), line, message) for line, message in front_problems)
        if not body.strip():
            yield ReadProblem(str(path), None, "file has no text after its front matter")
            return
    meta = meta.updated(manifests.meta_for(path))
    yield from _build_article(str(path), meta.id or str(path), body, meta)


def _build_article(path: str, article_id: str, text: str, meta: Meta) -> Iterator[_Item]:
    """Make the Article, inferring its publication date from the text when no metadata gave one."""
    published, inferred = meta.published, False
    if published is None:
        inference = infer_published(text)
        published, inferred = inference.date, inference.date is not None
        yield from (_DateWarning(path, warning) for warning in inference.warnings)
    yield Article(id=article_id, text=text, title=meta.title, published=published,
                  published_inferred=inferred, source=meta.source, url=meta.url, path=path)


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


def _parse_jsonl_line(raw: bytes, number: int) -> tuple[Meta, str, list[str]] | str:
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
    published = parse_date(raw_date)
    if raw_date not in (None, "") and published is None:
        problems.append(f"bad published date '{raw_date}'")
    record_id = record.get("id")
    meta = Meta(id=None if record_id in (None, "") else str(record_id),
                title=clean_value(record.get("title")), published=published,
                source=clean_value(record.get("source") or record.get("outlet")),
                url=clean_value(record.get("url")))
    return meta, text, problems
