"""The main text of a news page, pulled out with the stdlib HTML parser (no lxml, no readability).

A saved news page wraps a few paragraphs of story in menus, share bars, cookie banners and scripts.
Place names in that chrome ("Europe", "Ukraine" in a section menu) would become false events, so we
drop the boilerplate elements everywhere and keep the text of ``<article>`` (or ``<main>``) when the
page has one. Block elements become paragraphs separated by blank lines, so sentence splitting and
character offsets behave as they do for plain-text articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Elements whose content is never story text.
SKIPPED_TAGS = frozenset({
    "head", "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "nav",
    "aside", "form", "menu", "button", "select", "textarea", "dialog", "footer", "header",
})
# <header> inside <article>/<main> holds the headline and standfirst, which we keep; outside, it is
# the site masthead. <footer> is boilerplate (tags, share links) wherever it is.
_KEPT_IN_CONTENT = frozenset({"header"})
_BOILERPLATE_ROLES = frozenset({
    "navigation", "menu", "menubar", "banner", "contentinfo", "complementary", "search", "dialog",
    "alertdialog",
})
# class/id words that mark menus, share bars, cookie banners and promos ("main-nav", "share_bar").
_BOILERPLATE_NAME = re.compile(
    r"(?:^|[-_])(?:nav|navbar|navigation|menu|sidebar|breadcrumbs?|cookies?|consent|share|sharing|"
    r"social|newsletter|subscribe|related|promo|advert|ads?)(?:$|[-_])",
    re.IGNORECASE,
)
_NEVER_BOILERPLATE_BY_NAME = frozenset({"html", "body", "article", "main"})
_VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "caption", "center", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
})
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished",
                   "publish-date", "pubdate", "dc.date", "date")
_PARAGRAPH = "\x00P"  # marker between blocks; NUL never survives in decoded article text
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HtmlText:
    """What a page says: main text, title, and the raw published value from its metadata."""

    text: str
    title: str | None
    published: str | None


def extract_html_text(html: str) -> HtmlText:
    """Return the main text of an HTML page with its title and published-time metadata.

    >>> page = ("<html><head><title>T</title></head><body><nav>Home | World</nav>"
    ...         "<article><p>Troops in <b>Yelnya</b>.</p><p>Talks.</p></article></body></html>")
    >>> extract_html_text(page)
    HtmlText(text='Troops in Yelnya.\\n\\nTalks.', title='T', published=None)
    """
    parser = _MainTextParser()
    parser.feed(html)
    parser.close()
    return parser.result()


def sniff_html_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag within its first 4 KB, if any.

    >>> sniff_html_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">')
    'windows-1251'
    """
    match = _CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


@dataclass(slots=True)
class _Open:
    """One open element on the parser's stack and what it means for the text inside it."""

    tag: str
    skip: bool
    content: bool  # <article> or <main>


class _MainTextParser(HTMLParser):
    """Collects text per region (whole page, <main>, each <article>) while skipping boilerplate."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[_Open] = []
        self._skip = 0
        self._content = 0
        self._pre = 0
        self._page: list[str] = []
        self._main: list[str] = []
        self._articles: list[list[str]] = []
        self._in_article = 0
        self._in_main = 0
        self._title: list[str] | None = None
        self._page_title: str | None = None
        self._og_title: str | None = None
        self._meta_published: dict[str, str] = {}
        self._times: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            self._read_meta(attributes)
        if tag == "time" and attributes.get("datetime"):
            self._times.append((attributes["datetime"], self._content > 0))
        if tag == "title" and self._page_title is None and not self._inside("svg"):
            self._title = []
        if tag == "br" and not self._skip:
            self._emit("\n")
        if tag in _BLOCK_TAGS and not self._skip:
            self._emit(_PARAGRAPH)
        if tag in _VOID_TAGS:
            return
        entry = _Open(tag, self._is_boilerplate(tag, attributes), tag in ("article", "main"))
        self._stack.append(entry)
        self._enter(entry, +1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self._page_title = _squash(" ".join(self._title)) or None
            self._title = None
        if not any(entry.tag == tag for entry in self._stack):
            return  # a stray end tag: browsers ignore it, so do we
        while self._stack:
            entry = self._stack.pop()
            self._enter(entry, -1)
            if entry.tag == tag:
                break
        if tag in _BLOCK_TAGS and not self._skip:
            self._emit(_PARAGRAPH)

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
            return
        if self._skip:
            return
        self._emit(data if self._pre else re.sub(r"\s+", " ", data))

    def result(self) -> HtmlText:
        longest_article = max(
            (_assemble(parts) for parts in self._articles), key=len, default=""
        )
        text = longest_article or _assemble(self._main) or _assemble(self._page)
        published = next((self._meta_published[k] for k in _PUBLISHED_META if k in self._meta_published),
                         None)
        if published is None and self._times:
            in_content = [value for value, content in self._times if content]
            published = (in_content or [self._times[0][0]])[0]
        return HtmlText(text=text, title=self._og_title or self._page_title, published=published)

    def _read_meta(self, attributes: dict[str, str]) -> None:
        key = (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "")
        key, content = key.strip().lower(), attributes.get("content", "").strip()
        if not content:
            return
        if key == "og:title":
            self._og_title = _squash(content)
        elif key in _PUBLISHED_META:
            self._meta_published.setdefault(key, content)

    def _is_boilerplate(self, tag: str, attributes: dict[str, str]) -> bool:
        if tag in SKIPPED_TAGS:
            return not (tag in _KEPT_IN_CONTENT and self._content > 0)
        if "hidden" in attributes or attributes.get("aria-hidden", "").lower() == "true":
            return True
        if attributes.get("role", "").lower() in _BOILERPLATE_ROLES:
            return True
        if tag in _NEVER_BOILERPLATE_BY_NAME:
            return False
        names = attributes.get("class", "").split() + attributes.get("id", "").split()
        return any(_BOILERPLATE_NAME.search(name) for name in names)

    def _enter(self, entry: _Open, step: int) -> None:
        """Update the region counters as `entry` opens (+1) or closes (-1)."""
        self._skip += step if entry.skip else 0
        self._content += step if entry.content else 0
        self._pre += step if entry.tag == "pre" else 0
        if entry.tag == "main":
            self._in_main += step
        if entry.tag == "article":
            if step > 0 and self._in_article == 0 and not self._skip:
                self._articles.append([])
            self._in_article += step

    def _emit(self, piece: str) -> None:
        self._page.append(piece)
        if self._in_main > 0:
            self._main.append(piece)
        if self._in_article > 0 and self._articles:
            self._articles[-1].append(piece)

    def _inside(self, tag: str) -> bool:
        return any(entry.tag == tag for entry in self._stack)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _assemble(parts: list[str]) -> str:
    """Join emitted pieces into paragraphs separated by one blank line, lines trimmed."""
    paragraphs = []
    for block in "".join(parts).split(_PARAGRAPH):
        lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)
