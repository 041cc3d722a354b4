"""Articles from uploaded files (I/O edge): a name and some bytes each, read by the usual readers.

The dashboard's upload box hands over files that never were on this disk, under names a browser sent.
Each is written to a private temporary folder under a neutral name (so a name like ``../../x`` means
nothing here) and read by `geo.articles.read_articles`, the same code as ``geo ingest``; then the
temporary paths in ids, paths and messages are replaced by the uploaded names.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath

from geo.article_meta import ReadProblem
from geo.articles import SUPPORTED_SUFFIXES, ReadResult, read_articles

__all__ = ["UPLOAD_MAX_BYTES", "read_uploads", "upload_name"]

UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # per file: an article is tens of kB; a whole corpus goes by CLI


def upload_name(name: str) -> str:
    """The file name part of an uploaded name, whichever separators the browser used.

    >>> upload_name("../../etc/passwd"), upload_name("C:\\\\Users\\\\me\\\\a.txt"), upload_name("")
    ('passwd', 'a.txt', 'upload')
    """
    return PureWindowsPath(PurePosixPath(name).name).name.strip() or "upload"


def read_uploads(files: Iterable[tuple[str, bytes]], *, max_bytes: int = UPLOAD_MAX_BYTES) -> ReadResult:
    """Read uploaded (name, content) pairs as articles: ``.txt``, ``.md``, ``.html``/``.htm``, ``.jsonl``.

    A file over `max_bytes`, of another type, empty, binary or malformed becomes a `ReadProblem`
    naming it; the others are read. Article ids and paths are the uploaded names (a JSONL record
    without an id: ``name:line``).
    """
    problems: list[ReadProblem] = []
    with tempfile.TemporaryDirectory(prefix="crisis-map-upload-") as folder:
        names: dict[str, str] = {}
        for number, (raw_name, data) in enumerate(files):
            name = upload_name(raw_name)
            suffix = Path(name).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                problems.append(ReadProblem(name, None, f"unsupported file type ({suffix or 'no suffix'}); "
                                            "use .txt, .md, .html or .jsonl"))
            elif len(data) > max_bytes:
                problems.append(ReadProblem(name, None, f"over the {max_bytes / 2**20:.1f} MB limit"))
            else:
                path = Path(folder) / f"{number:05d}{suffix}"
                path.write_bytes(data)
                names[str(path)] = name
        result = read_articles(list(names), max_bytes=max_bytes, on_invalid="skip")

    def rename(text: str) -> str:
        for temporary, name in names.items():
            text = text.replace(temporary, name)
        return text

    articles = tuple(dataclasses.replace(a, id=rename(a.id), path=rename(a.path) if a.path else a.path)
                     for a in result.articles)
    problems += (dataclasses.replace(p, path=rename(p.path), message=rename(p.message))
                 for p in result.problems)
    return ReadResult(articles, tuple(problems), tuple(rename(w) for w in result.warnings))
