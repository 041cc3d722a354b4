"""Tests for geo.decoding: bytes of unknown encoding -> text, or None for binary."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.decoding import decode_text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Обстріл: Київ і Донецьк.", "cp1251"),
        ("Київ", "cp1251"),
        ("Донецьк", "cp1251"),
        ("Zürich", "latin-1"),
        ("Größe, Ångström, façade.", "latin-1"),
        ("“Quoted” – dash…", "cp1252"),
        ("Kuźnica, Łódź", "cp1250"),
        ("Kuźnica, Київ", "utf-8"),
        ("Kuźnica, Київ", "utf-8-sig"),
        ("Kuźnica, Київ", "utf-16"),
        ("Kuźnica, Київ", "utf-32"),
    ],
)
def test_encodings_round_trip(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        (b"a\r\nb\rc\n", None, "a\nb\nc\n"),  # newlines unified
        ("Київ".encode("koi8-u"), "koi8-u", "Київ"),  # a declared charset is trusted
        (b"\x93Quoted\x94", "iso-8859-1", "“Quoted”"),  # latin-1 label means windows-1252 (WHATWG)
        (b"plain", "no-such-charset", "plain"),  # an unknown label is ignored
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, None),  # NUL bytes: binary
        (bytes(range(1, 32)) * 4, None, None),  # mostly control characters: binary
    ],
)
def test_decode_text_cases(data: bytes, declared: str | None, expected: str | None) -> None:
    assert decode_text(data, declared=declared) == expected


@given(st.text().filter(lambda t: t.strip()))
def test_decode_text_round_trips_utf8(text: str) -> None:
    clean = "".join(c for c in text if c.isprintable() or c in "\n\t")
    if clean.strip():
        assert decode_text(clean.encode("utf-8")) == clean


@given(st.binary(max_size=4000))
def test_any_bytes_decode_to_text_or_none(data: bytes) -> None:
    text = decode_text(data)
    assert text is None or ("\r" not in text and not text.startswith("\ufeff"))
