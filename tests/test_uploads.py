"""Uploaded files: neutral names on disk, the uploaded names in ids and messages, the size limit."""

from __future__ import annotations

from geo.uploads import read_uploads

FRONT = b"---\npublished: 2022-02-20\nsource: AP\n---\nTroops crossed into Belarus on Sunday.\n"


def test_uploads_are_read_under_their_names_and_bad_ones_reported() -> None:
    jsonl = b'{"text": "Kyiv.", "published": "2022-01-01"}\n{}\n'
    result = read_uploads([("../../etc/story.md", FRONT), ("empty.txt", b""), ("scan.pdf", b"%PDF-1.4"),
                           ("big.txt", b"x" * 101), ("c.jsonl", jsonl)], max_bytes=100)
    assert [(a.id, a.path) for a in result.articles] == [("story.md", "story.md"), ("c.jsonl:1", "c.jsonl")]
    assert result.articles[0].source == "AP" and str(result.articles[0].published) == "2022-02-20"
    problems = {p.path: p.message for p in result.problems}
    assert problems.keys() == {"empty.txt", "scan.pdf", "big.txt", "c.jsonl"}
    assert "unsupported file type (.pdf)" in problems["scan.pdf"] and "MB limit" in problems["big.txt"]
    assert "crisis-map-upload" not in repr(result)  # no temporary path leaks into ids or messages
