"""Tests for geo.articles: each format, each failure as one problem, manifest, dates reaching the result.

Decoding cases are in test_decoding.py, publication-date inference cases in test_pubdate.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.articles import ReadProblem, iter_articles, read_articles
from geo.errors import ArticleError
from geo.html_text import extract_html_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Site | Belarus story</title>
<meta property="article:published_time" content="2022-02-20T10:00:00+00:00">
<style>p { color: red }</style><script>var city = "Lviv";</script></head>
<body class="has-sidebar">
<header><nav><ul class="menu"><li>Europe</li><li>Moldova</li></ul></nav></header>
<div class="share-bar">Share on Facebook</div>
<main><article><header><h1>Troops stay in Belarus</h1></header>
<p>Troops massed near <a href="#">Yelnya</a>,<br>Smolensk region.</p>
<p>Drills &amp; exercises&nbsp;ended.</p>
<aside>Related: Minsk talks</aside><footer>Tags: Vilnius</footer>
<form><input name="q"><button>Search Riga</button></form></article></main>
<footer>Copyright Tallinn</footer></body></html>"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "text", "title", "published", "source", "article_id"),
    [
        ("plain.txt", "Troops near Yelnya.\r\nSecond line.\r\n",
         "Troops near Yelnya.\nSecond line.\n", None, None, None, None),
        ("notes.md", "---\ntitle: 'Talks'\npublished: 2021-11-30\noutlet: BBC\nurl: https://x.test/a\n"
         "id: art-1\n---\n\nTalks in Geneva.\n",
         "Talks in Geneva.\n", "Talks", dt.date(2021, 11, 30), "BBC", "art-1"),
        ("dashes.txt", "---\nnot front matter at all\n---\nText.",
         "---\nnot front matter at all\n---\nText.", None, None, None, None),
        ("bom.txt", b"\xef\xbb\xbfKyiv\r\n", "Kyiv\n", None, None, None, None),
        ("page.html", PAGE,
         "Troops stay in Belarus\n\nTroops massed near Yelnya,\nSmolensk region.\n\n"
         "Drills & exercises ended.",
         "Site | Belarus story", dt.date(2022, 2, 20), None, None),
        ("one.jsonl", '{"id": 7, "text": "Shelling near Donetsk.", "title": "T", "published": "2022-01-26",'
         ' "source": "AP", "url": "https://x.test/7"}\n',
         "Shelling near Donetsk.", "T", dt.date(2022, 1, 26), "AP", "7"),
    ],
)
def test_each_format_reads_one_article(
    tmp_path: Path, name: str, content: str | bytes, text: str, title: str | None,
    published: dt.date | None, source: str | None, article_id: str | None,
) -> None:
    path = write(tmp_path, name, content)
    result = read_articles([path], on_invalid="raise")
    assert result.problems == ()
    (article,) = result.articles
    assert article.text == text
    assert (article.title, article.published, article.source) == (title, published, source)
    assert article.id == (article_id or str(path))
    assert article.path == str(path)
    assert article.published_inferred is False


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("empty.txt", b"", None, "file is empty"),
        ("blank.md", b"  \n\t\r\n", None, "file is empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", None, "binary file (not text)"),
        ("noise.txt", bytes(range(1, 32)) * 20, None, "binary file (not text)"),
        ("report.pdf", b"%PDF-1.4", None, "unsupported file type (.pdf)"),
        ("menu.html", "<nav>Kyiv | Lviv</nav><footer>Odesa</footer>", None,
         "no main text found in the HTML page"),
        ("empty.jsonl", b"\n\n", None, "file is empty"),
        ("bad.md", "---\npublished: 2021-13-45\n---\nText.", 2,
         "front matter line 2: bad published date '2021-13-45'"),
    ],
)
def test_a_bad_file_is_one_problem(
    tmp_path: Path, name: str, content: str | bytes, line: int | None, message: str
) -> None:
    path = write(tmp_path, name, content)
    good = write(tmp_path, "good.txt", "Kyiv.")
    result = read_articles([path, good], on_invalid="skip")
    assert result.problems == (ReadProblem(str(path), line, message),)
    assert result.articles[-1].text == "Kyiv."


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    result = read_articles([tmp_path / "gone.txt"], on_invalid="skip")
    assert result.problems == (ReadProblem(str(tmp_path / "gone.txt"), None, "file not found"),)


def test_jsonl_broken_lines_are_problems_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        '{"id": "a1", "text": "Strike on Kharkiv."}',
        "",
        '{"id": "a2", "text": ',
        '{"id": "a3"}',
        '["not", "an", "object"]',
        '{"text": "No id here.", "published": "30 Nov"}',
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    result = read_articles([path], on_invalid="skip")
    assert [a.id for a in result.articles] == ["a1", f"{path}:6"]
    assert [(p.line, p.message) for p in result.problems] == [
        (3, "line 3: not valid JSON (Expecting value)"),
        (4, "line 4: missing 'text'"),
        (5, "line 5: not a JSON object"),
        (6, "line 6: bad published date '30 Nov'"),
    ]


def test_non_utf8_file_is_decoded(tmp_path: Path) -> None:
    """The reader hands bytes to geo.decoding (its case table is in test_decoding.py)."""
    path = write(tmp_path, "a.txt", "Обстріл: Київ і Донецьк.".encode("cp1251"))
    (article,) = read_articles([path], on_invalid="raise").articles
    assert article.text == "Обстріл: Київ і Донецьк."


def test_file_over_the_limit_is_a_problem_and_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(20_000_000)  # sparse: instant, and would be "binary" if it were read
    write(tmp_path, "small.txt", "Kyiv.")
    result = read_articles([tmp_path], on_invalid="skip")
    assert [a.text for a in result.articles] == ["Kyiv."]
    assert result.problems == (ReadProblem(str(big), None, "file is 20.0 MB, over the 10.0 MB limit"),)


def test_jsonl_limit_applies_per_line(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.jsonl", '{"text": "' + "x" * 200 + '"}\n{"text": "Kyiv."}\n')
    result = read_articles([path], max_bytes=100, on_invalid="skip")
    assert [a.text for a in result.articles] == ["Kyiv."]
    assert [p.line for p in result.problems] == [1]


def test_folders_are_walked_sorted_and_other_files_ignored(tmp_path: Path) -> None:
    for name in ["b.txt", "a/c.md", "a/d.html", "notes.csv", "script.py", "README.md", ".hidden/e.txt"]:
        write(tmp_path, name, "<p>Text.</p>" if name.endswith("html") else "Text.")
    result = read_articles([tmp_path], on_invalid="raise")
    assert [Path(a.id).relative_to(tmp_path).as_posix() for a in result.articles] == [
        "a/c.md", "a/d.html", "b.txt"]


MANIFEST = (
    "file,published,outlet,title,url,notes\n"
    "a.txt,2021-13-45,BBC,Title A,,\n"
    "x.txt,2021-11-30,BBC,Missing,,\n"
    "b.txt,2022-02-20,The Guardian,Title B,https://x.test/b,\"notes, with comma\"\n"
)


def test_manifest_supplies_metadata_and_reports_bad_rows(tmp_path: Path) -> None:
    write(tmp_path, "manifest.csv", MANIFEST)
    write(tmp_path, "a.txt", "Shelling near Avdiivka.")
    write(tmp_path, "b.txt", "Drills in Belarus.")
    result = read_articles([tmp_path], on_invalid="skip")
    a, b = result.articles
    assert (a.title, a.published, a.source) == ("Title A", None, "BBC")
    assert (b.title, b.published, b.source, b.url) == ("Title B", dt.date(2022, 2, 20), "The Guardian",
                                                       "https://x.test/b")
    manifest = str(tmp_path / "manifest.csv")
    assert result.problems == (
        ReadProblem(manifest, 2, "manifest.csv row 2: bad published date '2021-13-45'"),
        ReadProblem(manifest, 3, "manifest.csv row 3: file not found: x.txt"),
    )


def test_manifest_overrides_front_matter_and_blank_rows_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "manifest.csv", "file,published,outlet,title,url,notes\n,,,,,\na.md,2021-11-30,,,,\n")
    write(tmp_path, "a.md", "---\npublished: 2024-11-19\noutlet: Aggregator\n---\nText.")
    result = read_articles([tmp_path], on_invalid="raise")
    (article,) = result.articles
    assert (article.published, article.source) == (dt.date(2021, 11, 30), "Aggregator")


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    page = '<meta charset="windows-1251"><title>Київ</title><p>Обстріл: Донецьк.</p>'
    path = write(tmp_path, "page.htm", page.encode("cp1251"))
    (article,) = read_articles([path], on_invalid="raise").articles
    assert (article.title, article.text) == ("Київ", "Обстріл: Донецьк.")


def test_explicit_manifest_elsewhere(tmp_path: Path) -> None:
    write(tmp_path, "meta/list.csv", "file,published,outlet\n../texts/a.txt,2021-11-30,Reuters\n")
    write(tmp_path, "texts/a.txt", "Talks in Minsk.")
    (article,) = read_articles([tmp_path / "texts"], manifest=tmp_path / "meta/list.csv",
                               on_invalid="raise").articles
    assert (article.published, article.source) == (dt.date(2021, 11, 30), "Reuters")


def test_seeds_folder_reads_with_manifest_dates_and_no_problems() -> None:
    result = read_articles([SEEDS], on_invalid="raise")
    assert result.problems == () and result.warnings == ()
    assert [(Path(a.id).name[:3], a.published, a.source) for a in result.articles] == [
        ("000", dt.date(2021, 12, 2), "The Sun"),
        ("001", dt.date(2022, 1, 26), "Al Jazeera"),
        ("002", dt.date(2021, 11, 14), "MailOnline"),
        ("003", dt.date(2021, 11, 30), None),
        ("004", dt.date(2022, 2, 20), "The Guardian"),
    ]
    assert not any(a.published_inferred for a in result.articles)


@pytest.mark.parametrize("on_invalid", ["raise", "warn", "skip"])
def test_error_policy(tmp_path: Path, on_invalid: str, caplog: pytest.LogCaptureFixture) -> None:
    empty = write(tmp_path, "empty.txt", "")
    good = write(tmp_path, "good.txt", "Kyiv.")
    if on_invalid == "raise":
        with pytest.raises(ArticleError, match=r"empty\.txt: file is empty"):
            read_articles([empty, good], on_invalid="raise")
        return
    with caplog.at_level(logging.WARNING, logger="geo.articles"):
        result = read_articles([empty, good], on_invalid=on_invalid)  # type: ignore[arg-type]
    assert len(result.articles) == 1 and len(result.problems) == 1
    assert ("file is empty" in caplog.text) == (on_invalid == "warn")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"on_invalid": "ignore"}, "on_invalid"), ({"max_bytes": 0}, "max_bytes")],
)
def test_bad_options_fail_at_the_call(kwargs: dict[str, object], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        iter_articles(["nowhere"], **kwargs)  # type: ignore[arg-type]


def test_iter_articles_streams_the_same_items(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "Kyiv.")
    write(tmp_path, "b.txt", b"")
    items = iter_articles(str(tmp_path), on_invalid="skip")  # a lone path is accepted
    assert [type(item).__name__ for item in items] == ["Article", "ReadProblem"]


def test_inferred_date_and_warning_reach_the_result(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", (SEEDS / "000_c69f267599082179.txt").read_text(encoding="utf-8"))
    result = read_articles([path], on_invalid="raise")
    (article,) = result.articles
    assert (article.published, article.published_inferred) == (dt.date(2024, 11, 19), True)
    assert result.warnings == (f"{path}: header date 2024-11-19 disagrees with dates in the text "
                               "(latest 2021); check the publication date",)


@pytest.mark.parametrize(
    ("html", "text", "title", "published"),
    [
        ("<title>T</title><body><nav>Menu Kyiv</nav><p>Body.</p></body>", "Body.", "T", None),
        ('<meta property="og:title" content="OG"><title>T</title><main><p>A</p><div>B</div></main>'
         "<p>outside</p>", "A\n\nB", "OG", None),
        ('<div role="navigation">Lviv</div><ul id="main-menu"><li>Odesa</li></ul><p>Story.</p>'
         '<time datetime="2021-11-30">30 Nov</time>', "Story.\n\n30 Nov", None, "2021-11-30"),
        ("<article><p>Short related</p></article><article><p>The long main story.</p></article>",
         "The long main story.", None, None),
        ("<p>Unclosed <b>bold<p>next</div></p>", "Unclosed bold\n\nnext", None, None),
    ],
)
def test_extract_html_text(html: str, text: str, title: str | None, published: str | None) -> None:
    page = extract_html_text(html)
    assert (page.text, page.title, page.published) == (text, title, published)


def test_html_page_drops_menus_and_scripts() -> None:
    text = extract_html_text(PAGE).text
    for boilerplate in ["Europe", "Moldova", "Lviv", "Share", "Minsk", "Vilnius", "Riga", "Tallinn"]:
        assert boilerplate not in text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000))
def test_any_bytes_give_an_article_or_a_problem(tmp_path_factory: pytest.TempPathFactory,
                                                data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "a.txt"
    path.write_bytes(data)
    result = read_articles([path], on_invalid="skip")
    assert len(result.articles) + len(result.problems) >= 1
    assert all(isinstance(a.text, str) and a.text.strip() for a in result.articles)
    assert len(result.articles) <= 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_parses_as_html(text: str) -> None:
    assert isinstance(extract_html_text(text).text, str)
