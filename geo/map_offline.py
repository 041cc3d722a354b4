"""A map page that opens with no internet: Leaflet inlined, every CDN script and stylesheet dropped.

folium's saved page loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. Our maps use only
Leaflet itself (circle markers, GeoJSON, the layer control, no awesome-markers, no folium popups, which
need jQuery), so `offline_html` swaps the CDN tags for the Leaflet 1.9.4 files committed in
data/vendor/leaflet/ (provenance in its SOURCE.md). Reading those files is this module's only I/O.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import folium

__all__ = ["LEAFLET_DIR", "offline_html"]

LEAFLET_DIR = Path(__file__).resolve().parent.parent / "data" / "vendor" / "leaflet"

# folium writes these tags itself (branca's JavascriptLink / CssLink); any other src/href is left as is
_EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script\s*>",
                              re.IGNORECASE)
_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)


@functools.lru_cache(maxsize=1)
def _leaflet(directory: Path = LEAFLET_DIR) -> str:
    """The <style> and <script> elements holding the vendored Leaflet."""
    script = _SOURCE_MAP.sub("", (directory / "leaflet.js").read_text(encoding="utf-8"))
    style = (directory / "leaflet.css").read_text(encoding="utf-8")
    if re.search(r"</script|<!--", script, re.IGNORECASE) or re.search(r"</style", style, re.IGNORECASE):
        raise ValueError(f"{directory}: Leaflet files cannot be inlined (they would close their element)")
    return f"<style>\n{style}\n</style>\n<script>\n{script}\n</script>\n"


def offline_html(m: folium.Map) -> str:
    """The full page of `m` with Leaflet inlined and no script or stylesheet fetched from the network.

    Tiles of an online basemap are still requested by the browser (choose basemap "none" to avoid
    them); everything else works from a file.
    """
    page = m.get_root().render()
    page = _EXTERNAL_LINK.sub("", _EXTERNAL_SCRIPT.sub("", page))
    head = _HEAD.search(page)
    if head is None:
        raise ValueError("the rendered map has no <head> to put Leaflet in")
    return page[:head.end()] + "\n" + _leaflet() + page[head.end():]
