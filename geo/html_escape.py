"""Untrusted text into HTML: escaping text and vetting link targets.

Article-derived text (place names as written, sentences, outlets, titles, URLs) is attacker-controlled.
These functions are the only way such text enters the map's markup (`geo.map_html`,
`geo.map_style.legend_html`): `escape_text` for one value, `escape_texts` for a column of them;
`escape_markdown` for the dashboard's messages, which Streamlit renders as Markdown.
"""

from __future__ import annotations

import html
import math
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

__all__ = ["escape_markdown", "escape_text", "escape_texts", "safe_url"]

# every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all also
# disarms Streamlit's own Markdown extensions (":red[...]", ":material/icon:", "$math$")
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~:$&\"'=^%@/"})
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})
# what html.escape(quote=True) and _BRACES replace, ampersand first
_REPLACEMENTS = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"),
                 ("{", "&#123;"), ("}", "&#125;"))


def safe_url(url: Any) -> str | None:
    """`url` if it is an absolute http or https URL with a host, else None (never linked).

    >>> safe_url("https://example.org/a?b=1"), safe_url("javascript:alert(1)"), safe_url(" //x.org")
    ('https://example.org/a?b=1', None, None)
    """
    if not isinstance(url, str) or url != url.strip():
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def escape_text(value: Any) -> str:
    """Text of a value, safe as HTML text or a quoted attribute; missing values (None, NaN) are ''.

    Braces become character references too: folium re-compiles the output of its elements as Jinja
    templates, so ``{{ ... }}`` in a folium Tooltip or Popup is evaluated on the server. The map never
    hands article text to those, but a popup string that gets there by mistake stays inert.

    >>> escape_text('<img src=x onerror="alert(1)"> {{ 7*7 }}')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &#123;&#123; 7*7 &#125;&#125;'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_BRACES)


def escape_texts(values: pd.Series) -> list[str]:
    """`escape_text` of every value of a column, in a few vectorised passes (thousands of map points).

    >>> escape_texts(pd.Series(["<b>'{x}'</b> & co", None]))
    ['&lt;b&gt;&#x27;&#123;x&#125;&#x27;&lt;/b&gt; &amp; co', '']
    """
    text = values.astype(object).where(values.notna(), "").astype("str")
    for old, new in _REPLACEMENTS:
        text = text.str.replace(old, new, regex=False)
    escaped: list[str] = text.tolist()
    return escaped


def escape_markdown(value: Any) -> str:
    """Text of a value that Markdown shows as it is: no links, emphasis, HTML or line structure.

    Line breaks become spaces (a message is one line); missing values (None, NaN) are ''.

    >>> print(escape_markdown("[click](javascript:x) **<b>** :red[!]\\n# h"))
    \\[click\\]\\(javascript\\:x\\) \\*\\*\\<b\\>\\*\\* \\:red\\[\\!\\] \\# h
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split()).translate(_MARKDOWN)
