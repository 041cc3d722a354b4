"""How each event category looks on a map: colour, glyph and label, and the legend that explains them.

Colours are the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), chosen to stay
distinguishable under the common colour-vision deficiencies; each category also has a text glyph so
that the legend, tooltips and popups never rely on colour alone. Glyphs are plain Unicode characters
(no icon font fetched from a CDN), so a page saved offline draws them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from geo.html_escape import escape_text
from geo.models import Category

__all__ = ["BACKGROUND", "BORDER_COLOUR", "CATEGORY_STYLES", "CRIMEA_NOTE", "LAND_COLOUR",
           "STATUS_EDGE_COLOUR", "STATUS_FILL_COLOUR", "STATUS_FILL_OPACITY", "STATUS_NOTES", "CategoryStyle",
           "category_style", "count_phrase", "legend_html"]


@dataclass(frozen=True, slots=True)
class CategoryStyle:
    """The look of one category: a CSS hex colour, a one-character glyph and a human label."""

    colour: str
    glyph: str
    label: str


CATEGORY_STYLES: Mapping[Category, CategoryStyle] = MappingProxyType({
    Category.DEPLOYMENT: CategoryStyle("#0072B2", "▲", "Troop deployment"),  # blue
    Category.FRONT_LINE: CategoryStyle("#D55E00", "✕", "Front line / fighting"),  # vermillion
    Category.DIPLOMACY: CategoryStyle("#009E73", "◆", "Diplomacy"),  # bluish green
    Category.MIGRATION: CategoryStyle("#CC79A7", "→", "Migration / refugees"),  # reddish purple
    Category.OTHER: CategoryStyle("#7F7F7F", "●", "Other"),  # grey: the category that says least
})

# The boundaries look the same in the Leaflet map (geo.folium_map) and the slide image (geo.map_image).
BACKGROUND = "#dfe8ee"  # sea and background when there is no tile basemap
LAND_COLOUR = "#fbfaf6"
BORDER_COLOUR = "#7d8a96"
STATUS_EDGE_COLOUR = "#6b3f7a"  # a feature with a status (Crimea), drawn dashed
STATUS_FILL_COLOUR = "#c9b3d6"
STATUS_FILL_OPACITY = 0.35
CRIMEA_NOTE = "Crimea — part of Ukraine, occupied by Russia since 2014"
# the note of a feature with a status; others read "name — status"
STATUS_NOTES: Mapping[str, str] = MappingProxyType({"Crimea": CRIMEA_NOTE})

_BY_VALUE = {category.value: style for category, style in CATEGORY_STYLES.items()}


def category_style(category: str) -> CategoryStyle:
    """The style of a category given by value; a category this build does not know looks like OTHER.

    >>> category_style("front_line").label
    'Front line / fighting'
    >>> category_style("unheard-of") == CATEGORY_STYLES[Category.OTHER]
    True
    """
    return _BY_VALUE.get(category, CATEGORY_STYLES[Category.OTHER])


_LEGEND_BOX = ("position:fixed;bottom:28px;right:10px;z-index:1000;background:rgba(255,255,255,.92);"
               "padding:6px 9px;border:1px solid #999;border-radius:4px;font:12px/1.45 sans-serif;"
               "color:#222;max-width:260px")


def legend_html(categories: Iterable[str] = tuple(Category), *, title: str | None = None,
                hidden_points: int = 0, notes: Iterable[str] = ()) -> str:
    """A static HTML legend box (inline styles, no scripts, no external assets) for `categories`.

    `title` and `notes` are escaped, so they may hold any text. `hidden_points` > 0 adds a line saying
    how many points were left off the map.

    >>> box = legend_html(["diplomacy"], title="<b>Week 3</b>", hidden_points=12)
    >>> "Diplomacy" in box and "&lt;b&gt;Week 3" in box and "12 more points" in box
    True
    """
    rows = []
    if title:
        rows.append(f"<div style=\"font-weight:bold;margin-bottom:2px\">{escape_text(title)}</div>")
    for category in dict.fromkeys(categories):  # unique, in the order given
        style = category_style(category)
        rows.append(f"<div><span style=\"color:{style.colour};display:inline-block;width:1.3em;"
                    f"text-align:center\">{style.glyph}</span><span style=\"display:inline-block;"
                    f"width:.8em;height:.8em;border-radius:50%;background:{style.colour};opacity:.75;"
                    f"margin-right:4px\"></span>{escape_text(style.label)}</div>")
    rows.append("<div style=\"color:#555\">circle area grows with the number of reports</div>")
    if hidden_points > 0:
        rows.append(f"<div style=\"color:#8a4b00\">{hidden_points:,} more points with fewer reports "
                    "not shown: narrow the dates or filters</div>")
    rows.extend(f"<div style=\"color:#555\">{escape_text(note)}</div>" for note in notes)
    return f"<div class=\"crisis-map-legend\" style=\"{_LEGEND_BOX}\">{''.join(rows)}</div>"


def count_phrase(n: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun, as every label of the map, its popups, exports and panels words one.

    >>> count_phrase(1, "report"), count_phrase(1200, "report"), count_phrase(2, "place", "places")
    ('1 report', '1,200 reports', '2 places')
    """
    n = int(n)  # numpy integers too
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
