"""Symbol search over unique definition names, with Whoosh: prefix, substring and fuzzy.

One document per defined name (not per occurrence), holding its kinds and a first location.
"""

from __future__ import annotations

import mmap
import os
import shutil
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from whoosh import fields, index
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import TermNotFound

# Whoosh's writer inlines a term's postings (one document here) into its entry only under the
# name `set_inline`, which its term info spells `set_inlined`: without this, every name's one
# posting is pickled, compressed and written as a block of its own (a fifth of the build).
if not hasattr(W3TermInfo, "set_inline"):
    W3TermInfo.set_inline = W3TermInfo.set_inlined


class _MemoryFile:
    """The file Whoosh's BufferFile reads a segment's part through, over the part's memoryview of
    the mmapped segment. Whoosh's own, a BytesIO, copies the part: every open of the kernel's
    search index copied its 800 MB of term files into the process (0.3 s, and as much memory in
    each server thread)."""

    def __init__(self, buf) -> None:
        self._buf = memoryview(buf)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(self._pos + size, len(self._buf))
        data = bytes(self._buf[self._pos:end])
        self._pos = end
        return data

    def readline(self, size: int = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(self._pos + size, len(self._buf))
        for start in range(self._pos, end, 4096):
            found = bytes(self._buf[start:min(start + 4096, end)]).find(b"\n")
            if found >= 0:
                return self.read(start + found + 1 - self._pos)
        return self.read(end - self._pos)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:
    self._buf = buf
    self._name = name
    self.file = _MemoryFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


BufferFile.__init__ = _buffer_file_init


def _codec() -> W3Codec:
    return W3Codec(inlinelimit=2)

# One indexed field (the lowercased name) and the rest stored: the cheapest schema Whoosh
# offers, which matters with the kernel's millions of names.
SCHEMA = fields.Schema(lower=fields.ID(), name=fields.STORED())

KIND_RANK = {"function": 0, "alias": 0, "macro": 1, "struct": 2, "union": 2, "typedef": 3, "enum": 3, "label": 4,
             "syscall": 4, "variable": 5, "enumerator": 6, "member": 7, "prototype": 8, "extern": 9}


# Every name, one per line, as written (`names.cased`) and lowercased in ASCII (`names.lower`):
# the same length, so a name found in the second is read at the same place in the first.
CASED_NAMES, LOWER_NAMES = "names.cased", "names.lower"


def _lowered(name: str) -> bytes:
    return name.encode("utf-8").lower()  # ASCII letters only: the same bytes long


def _append_names(directory: Path, names: list[str]) -> None:
    """Add names to the end of both names files, as written first: a line in `names.lower` past
    the end of `names.cased` is not read, and a run cut short between the two writes is evened
    out by the next one (whose names are still waiting in `added_names`)."""
    cased, lower = directory / CASED_NAMES, directory / LOWER_NAMES
    for path in (cased, lower):
        path.touch()
    even = min(cased.stat().st_size, lower.stat().st_size)
    for path in (cased, lower):
        os.truncate(path, even)
    with open(cased, "ab") as listed:
        listed.writelines(name.encode("utf-8") + b"\n" for name in names)
    with open(lower, "ab") as listed:
        listed.writelines(_lowered(name) + b"\n" for name in names)


@dataclass
class SearchHit:
    name: str
    kinds: list[str]
    where: str  # tree:path:line of one definition
    match: str  # exact | prefix | substring | fuzzy


def build(gen: Path, conn: sqlite3.Connection) -> None:
    """(Re)build the search index of a generation from its definitions; the names waiting in
    `added_names` are in it, and leave the table once it is in place."""
    names = [row[0] for row in conn.execute("SELECT DISTINCT name FROM defs")]
    build_from_names(gen, names)
    with conn:
        conn.execute("DELETE FROM added_names")
    conn.close()


# Names per Whoosh segment: its postings are sorted in memory (Whoosh spills a bigger pool to
# disk one pickled posting at a time, and merges those files back: a third of the build), and
# only one segment's are held at a time.
_SEGMENT = 500_000


def build_from_names(gen: Path, names: Iterable[str]) -> None:
    """Write a new search index holding these names and swap it in; the names files beside it
    list them for substring search (a scan in C instead of Whoosh's term walk)."""
    target = gen / "search"
    tmp = gen / "search.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    ix = index.create_in(str(tmp), SCHEMA)
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == _SEGMENT:
            _append_names(tmp, batch)
            _add_segment(ix, batch)
            batch = []
    _append_names(tmp, batch)
    if batch or ix.is_empty():
        _add_segment(ix, batch)
    old = gen / "search.old"
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _add_segment(ix: index.Index, names: list[str], merge: bool = False) -> None:
    """One segment of names, added in the order of their terms (Whoosh then sorts a sorted pool).

    After the first name, each document goes straight to the writer's posting pool and stored
    fields, as `add_document` would put it for this schema, without its per-field checks and
    analysis (a fifth of the build for the kernel's 4 M names).
    """
    writer = ix.writer(limitmb=1024, codec=_codec())
    names = sorted(names, key=str.lower)
    if names:
        writer.add_document(lower=names[0].lower(), name=names[0])
        add_posting, stored, docnum = writer.pool.add, writer.perdocwriter, writer.docnum
        for name in names[1:]:
            stored.start_doc(docnum)
            add_posting(("lower", name.lower().encode("utf-8"), docnum, 1.0, b""))
            stored.add_field("name", SCHEMA["name"], name, 0)
            stored.finish_doc()
            docnum += 1
        writer.docnum = docnum
    writer.commit(merge=merge)


def add_names(conn: sqlite3.Connection, names: Iterable[str]) -> None:
    """Make names a re-index newly defined searchable, in the caller's transaction: they go to
    the facts' `added_names`, which queries read beside the search index (old names stay there;
    queries check each hit against the facts). Whoosh is never merged into: its segment merge
    is where a re-index used to crash, and it could not be undone with the facts."""
    conn.executemany("INSERT OR IGNORE INTO added_names VALUES (?, ?)", ((name, name.lower()) for name in names))


# A re-index's new names wait in `added_names` until there are this many; then they become a
# segment of the search index. A scan of a bigger table, its pages spread through gigabytes of
# facts, took 26 s on a cold disk (the kernel's macro stage alone adds 320,000 names).
FOLD_AT = 10_000


def fold_added(gen: Path, conn: sqlite3.Connection, least: int = FOLD_AT) -> int:
    """Move the names waiting in `added_names` into a new segment of the search index and the end
    of the names files, once there are `least` of them; how many moved.

    Each step can be cut short and leaves every name findable: the names files first, then the
    segment (Whoosh publishes it by renaming its table of contents), and only then are the names
    taken out of `added_names`. A run cut short after the first leaves a name twice, which
    search skips."""
    (count,) = conn.execute("SELECT count(*) FROM added_names").fetchone()
    if count == 0 or count < least:
        return 0
    names = [name for (name,) in conn.execute("SELECT name FROM added_names")]
    _append_names(gen / "search", names)
    ix = index.open_dir(str(gen / "search"))
    for start in range(0, len(names), _SEGMENT):
        _add_segment(ix, names[start:start + _SEGMENT])
    with conn:
        conn.execute("DELETE FROM added_names")
    return count


# Bounds that keep every search under a second on the kernel's 4 M names.
_PREFIX_TERMS = 5_000  # names looked at that start with the text (in the order of their terms)
_FUZZY_TERMS = 100_000  # names looked at for misspellings (those sharing the text's first letters)
_SECONDS = 0.8  # after this, the search answers with what it has
_MOST_SECONDS = 20.0  # ... and after this even with nothing, or with a kind asked for (a cold disk)


class Found(list):
    """Search hits, best first; `more` when the search stopped at a bound (too many names match:
    the query should be narrowed)."""

    more = False


class _Budget:
    """A search's time: over once `_SECONDS` have passed and it has a hit (or `_MOST_SECONDS`
    without one: a first answer read from a cold disk), which marks its hits as `more`."""

    def __init__(self, found: Found, hits: dict, seconds: float = _SECONDS) -> None:
        self.found = found
        self.hits = hits
        started = time.monotonic()
        self.deadline, self.last = started + seconds, started + _MOST_SECONDS

    def over(self) -> bool:
        now = time.monotonic()
        if now <= self.deadline or (not self.hits and now <= self.last):
            return False
        self.found.more = True
        return True


class Searcher:
    """Searches one generation's search index: exact, then prefix, then substring matches, then
    misspellings; each hit checked against the facts, which give its kinds and first place."""

    def __init__(self, gen: Path, conn: sqlite3.Connection) -> None:
        self.ix = index.open_dir(str(gen / "search"))
        self.reader = self.ix.reader()
        self.gen = gen
        self.conn = conn

    def _latest(self) -> None:
        """Read the search index's latest segments (a re-index may have added one)."""
        if self.ix.latest_generation() != self.reader.generation():
            self.reader.close()
            self.reader = self.ix.reader()

    def _kinds(self, name: str) -> list[str]:
        """The kinds of a name's definitions, best first (from the facts' index on name and kind,
        without reading the hundred thousand rows of a name like `a`)."""
        return sorted((kind for (kind,) in self.conn.execute("SELECT DISTINCT kind FROM defs WHERE name = ?", (name,))),
                      key=lambda k: KIND_RANK.get(k, 10))

    def _first_place(self, name: str, kind: str) -> str:
        """tree:path:line of the first definition of a name of this kind."""
        first = self.conn.execute(
            "SELECT t.name || ':' || f.path || ':' || d.line FROM defs d "
            "JOIN files f ON f.id = d.file_id JOIN trees t ON t.id = f.tree_id "
            "WHERE d.name = ? AND d.kind = ? ORDER BY t.name, f.path, d.line LIMIT 1", (name, kind)).fetchone()
        return first[0] if first else ""

    def search(self, text: str, kind: str | None = None, limit: int = 50) -> Found:
        """Names equal to the text (in any case), then starting with it, then containing it, then
        one or two edits away; within each, the best kind and the shortest first."""
        found = Found()
        text = text.strip()
        if not text:
            return found
        self._latest()
        low = text.lower()
        want = 20000 if kind else limit * 4
        hits: dict[str, SearchHit] = {}
        # Asked for one kind, most names looked at are not of it: the search may take longer.
        budget = _Budget(found, hits, _MOST_SECONDS if kind else _SECONDS)
        order: list[tuple[int, int, int, str]] = []
        attempts = [
            ("exact", lambda: chain(self._names_of([low]), self._added("lower = ?", (low,), 1000))),
            ("prefix", lambda: chain(self._prefixed(low, want, found),
                                     self._added("lower > ? AND lower < ? || char(1114111)", (low, low), want))),
            ("substring", lambda: chain(self._containing(low, want),
                                        self._added("instr(lower, ?) > 1", (low,), want))),
            ("fuzzy", lambda: self._misspelt(text, limit * 4)),
        ]
        for rank, (how, names) in enumerate(attempts):
            if len(hits) >= limit or budget.over():
                break
            if (how == "substring" and len(low) < 3) or (how == "fuzzy" and len(low) < 4):
                continue
            for name in names():
                if name in hits:
                    continue
                if budget.over():
                    break
                kinds = self._kinds(name)
                if not kinds or (kind and kind not in kinds):
                    continue  # no longer defined, or not of the kind asked for
                hits[name] = SearchHit(name, kinds, "", how)
                order.append((rank, KIND_RANK.get(kinds[0], 10), len(name), name))
        order.sort()
        for *_, name in order[:limit]:  # only the hits shown are placed: on a cold disk each costs a read
            hit = hits[name]
            hit.where = self._first_place(name, hit.kinds[0])
            found.append(hit)
        found.more = found.more or len(order) > limit
        return found

    def _names_of(self, terms: list[str]) -> Iterator[str]:
        """The names (as written) whose lowercase is one of these terms, in their order, looked up
        as they are asked for (a search out of time asks for no more)."""
        for term in terms:
            try:
                postings = self.reader.postings("lower", term)
            except TermNotFound:
                continue
            yield from (self.reader.stored_fields(docnum)["name"] for docnum in postings.all_ids())

    def _terms_starting(self, prefix: str, cap: int) -> tuple[list[str], bool]:
        """The first `cap` terms (lowercased names) starting with `prefix`, in the order of the
        term dictionary, and whether more start so."""
        terms = []
        for term in self.reader.expand_prefix("lower", prefix):
            if len(terms) == cap:
                return terms, True
            terms.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        return terms, False

    def _prefixed(self, low: str, cap: int, found: Found) -> Iterator[str]:
        """The `cap` shortest names starting with `low`, among the first _PREFIX_TERMS of them."""
        terms, more = self._terms_starting(low, _PREFIX_TERMS)
        found.more = found.more or more
        terms = sorted((t for t in terms if t != low), key=lambda t: (len(t), t))[:cap]
        return self._names_of(terms)

    def _added(self, where: str, params: tuple, cap: int) -> Iterator[str]:
        """Up to `cap` names matching `where` among those re-indexes added since the search
        index was written (`added_names`), read when asked for."""
        yield from (name for (name,) in self.conn.execute(
            f"SELECT name FROM added_names WHERE {where} LIMIT ?", (*params, cap)))

    def _containing(self, low: str, cap: int) -> list[str]:
        """Up to `cap` names containing `low` (not at their start), shortest first: a scan of
        `names.lower`, mapped, not read, each found line read as written from `names.cased`."""
        folder = self.gen / "search"
        try:
            with open(folder / LOWER_NAMES, "rb") as low_fh, open(folder / CASED_NAMES, "rb") as cased_fh, \
                    mmap.mmap(low_fh.fileno(), 0, access=mmap.ACCESS_READ) as listed, \
                    mmap.mmap(cased_fh.fileno(), 0, access=mmap.ACCESS_READ) as cased:
                needle = _lowered(low)
                places: dict[bytes, list[tuple[int, int]]] = {}
                pos = listed.find(needle)
                while pos != -1 and len(places) < cap * 4:
                    start = listed.rfind(b"\n", 0, pos) + 1
                    end = listed.find(b"\n", pos)
                    end = len(listed) if end == -1 else end
                    if pos > start and end <= len(cased):
                        places.setdefault(listed[start:end], []).append((start, end))
                    pos = listed.find(needle, end)
                shortest = sorted(places, key=lambda t: (len(t), t))[:cap]
                return [cased[start:end].decode("utf-8", "replace") for term in shortest
                        for start, end in places[term]]
        except (OSError, ValueError):  # missing, or empty (mmap cannot map nothing)
            return []

    def complete(self, text: str, limit: int = 12) -> list[dict]:
        """Names as the user types: those starting with the text (as typed, in lower and in upper
        case; read from the facts' index on names, at most 5,000 each), the text itself first, then
        the shortest; when none starts so, the names one or two edits away. Each with its best kind."""
        self._latest()
        low = text.lower()
        names = self._starting((text, low, text.upper()), 5000)
        ranked = sorted(names, key=lambda n: (n.lower() != low, len(n), n))[:limit]
        if not ranked and len(text) >= 4:
            ranked = self._misspelt(text, limit)
        out = []
        for name in ranked:
            kinds = [kind for (kind,) in self.conn.execute("SELECT DISTINCT kind FROM defs WHERE name = ?", (name,))]
            if kinds:
                out.append({"name": name, "kind": min(kinds, key=lambda k: KIND_RANK.get(k, 10))})
        return out

    def _misspelt(self, text: str, limit: int) -> list[str]:
        """Names within one edit (two for longer text) of `text`, among the first _FUZZY_TERMS of
        those sharing its first letter (its first two from six letters on), closest first."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        low = text.lower()
        head = low[:2] if len(low) >= 6 else low[:1]
        terms, _ = self._terms_starting(head, _FUZZY_TERMS)
        cutoff = 1 if len(text) < 8 else 2
        close = process.extract(low, terms, scorer=Levenshtein.distance, score_cutoff=cutoff, limit=limit)
        close.sort(key=lambda found: (found[1], len(found[0]), found[0]))
        return list(self._names_of([term for term, _, _ in close]))

    def _starting(self, prefixes, cap: int) -> set[str]:
        """Defined names starting with any of these prefixes (at most `cap` each), read from the
        facts' index on names."""
        names: set[str] = set()
        for prefix in dict.fromkeys(prefixes):
            names.update(name for (name,) in self.conn.execute(
                "SELECT DISTINCT name FROM defs WHERE name >= ? AND name < ? LIMIT ?",
                (prefix, prefix + "\U0010ffff", cap)))
        return names
