"""Symbol search over unique definition names, with Whoosh: prefix, substring and fuzzy.

One document per defined name (not per occurrence), holding its kinds and a first location.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import fields, index, query
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo

# Whoosh's writer inlines a term's postings (one document here) into its entry only under the
# name `set_inline`, which its term info spells `set_inlined`: without this, every name's one
# posting is pickled, compressed and written as a block of its own (a fifth of the build).
if not hasattr(W3TermInfo, "set_inline"):
    W3TermInfo.set_inline = W3TermInfo.set_inlined


def _codec() -> W3Codec:
    return W3Codec(inlinelimit=2)

# One indexed field (the lowercased name) and the rest stored: the cheapest schema Whoosh
# offers, which matters with the kernel's millions of names.
SCHEMA = fields.Schema(lower=fields.ID(), name=fields.STORED())

KIND_RANK = {"function": 0, "alias": 0, "macro": 1, "struct": 2, "union": 2, "typedef": 3, "enum": 3, "label": 4,
             "syscall": 4, "variable": 5, "enumerator": 6, "member": 7, "prototype": 8, "extern": 9}


@dataclass
class SearchHit:
    name: str
    kinds: list[str]
    where: str  # tree:path:line of one definition
    match: str  # exact | prefix | substring | fuzzy


def build(gen: Path, conn: sqlite3.Connection) -> None:
    """(Re)build the search index of a generation from its definitions."""
    names = [row[0] for row in conn.execute("SELECT DISTINCT name FROM defs")]
    conn.close()
    build_from_names(gen, names)


# Names per Whoosh segment: its postings are sorted in memory (Whoosh spills a bigger pool to
# disk one pickled posting at a time, and merges those files back: a third of the build), and
# only one segment's are held at a time.
_SEGMENT = 500_000


def build_from_names(gen: Path, names: Iterable[str]) -> None:
    """Write a new search index holding these names and swap it in; `names.txt` beside it holds
    them one per line, for substring search (one scan in C instead of Whoosh's term walk)."""
    target = gen / "search"
    tmp = gen / "search.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    ix = index.create_in(str(tmp), SCHEMA)
    with open(tmp / "names.txt", "w", encoding="utf-8") as listed:
        batch: list[str] = []
        for name in names:
            batch.append(name)
            listed.write(name + "\n")
            if len(batch) == _SEGMENT:
                _add_segment(ix, batch)
                batch = []
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


_NAMES_LOCK = threading.Lock()
_NAMES: dict[str, tuple[float, str, str]] = {}  # names.txt -> (mtime, names, the same lowercased)


def _names(path: Path) -> tuple[str, str] | None:
    """Every name of the search index as one text, one per line, and its lowercase twin (same
    offsets), read once per process and again when the file changes; None for an older index."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    with _NAMES_LOCK:
        cached = _NAMES.get(str(path))
        if cached is None or cached[0] != mtime:
            text = "\n" + path.read_text(encoding="utf-8")
            lower = text.lower()
            if len(lower) != len(text):  # a name whose lowercase is longer: compare as written
                lower = text
            cached = _NAMES[str(path)] = (mtime, text, lower)
    return cached[1], cached[2]


class Searcher:
    def __init__(self, gen: Path, conn: sqlite3.Connection) -> None:
        self.ix = index.open_dir(str(gen / "search"))
        self.gen = gen
        self.conn = conn

    def _describe(self, name: str) -> tuple[list[str], str]:
        """The kinds of a name's definitions and its first one, from the facts."""
        rows = self.conn.execute(
            "SELECT d.kind, t.name || ':' || f.path || ':' || d.line FROM defs d "
            "JOIN files f ON f.id = d.file_id JOIN trees t ON t.id = f.tree_id "
            "WHERE d.name = ? ORDER BY t.name, f.path, d.line", (name,)).fetchall()
        kinds = sorted({kind for kind, _ in rows}, key=lambda k: KIND_RANK.get(k, 10))
        return kinds, rows[0][1] if rows else ""

    def search(self, text: str, kind: str | None = None, limit: int = 50) -> list[SearchHit]:
        """Names equal to the text (in any case), then starting with it, then containing it, then
        one or two edits away; within each, the best kind and the shortest first."""
        text = text.strip()
        if not text:
            return []
        low = text.lower()
        hits: dict[str, SearchHit] = {}
        order: list[tuple[int, int, int, str]] = []
        with self.ix.searcher() as s:
            attempts = [
                ("exact", lambda: [d["name"] for d in s.search(query.Term("lower", low), limit=None)]
                 + self._added("lower = ?", (low,), 1000)),
                ("prefix", lambda: [d["name"] for d in s.search(query.Prefix("lower", low),
                                                                 limit=None if kind else limit * 4)]
                 + self._added("lower > ? AND lower < ? || char(1114111)", (low, low), 20000 if kind else limit * 4)),
                ("substring", lambda: self._containing(low, 20000 if kind else limit * 4)
                 + self._added("instr(lower, ?) > 1", (low,), 20000 if kind else limit * 4)),
                ("fuzzy", lambda: self._misspelt(text, limit * 4, head=1)),
            ]
            for rank, (how, found) in enumerate(attempts):
                if len(hits) >= limit:
                    break
                if how == "substring" and len(low) < 3:
                    continue
                for name in found():
                    if name in hits:
                        continue
                    kinds, where = self._describe(name)
                    if not kinds or (kind and kind not in kinds):
                        continue  # no longer defined, or not of the kind asked for
                    hits[name] = SearchHit(name, kinds, where, how)
                    best = min(KIND_RANK.get(k, 10) for k in kinds)
                    order.append((rank, best, len(name), name))
        order.sort()
        return [hits[name] for *_, name in order[:limit]]

    def _added(self, where: str, params: tuple, cap: int) -> list[str]:
        """Up to `cap` names matching `where` among those re-indexes added since the search
        index was written (`added_names`)."""
        return [name for (name,) in self.conn.execute(
            f"SELECT name FROM added_names WHERE {where} LIMIT ?", (*params, cap))]

    def _containing(self, low: str, cap: int) -> list[str]:
        """Up to `cap` names containing `low` in any case (not at their start), shortest first."""
        listed = _names(self.gen / "search" / "names.txt")
        if listed is None:  # an index made before names.txt: Whoosh's walk over every term
            with self.ix.searcher() as s:
                return [d["name"] for d in s.search(query.Wildcard("lower", f"*{low}*"), limit=cap)]
        text, lower = listed
        found = []
        pos = lower.find(low)
        while pos != -1 and len(found) < cap * 4:
            start = lower.rfind("\n", 0, pos) + 1
            end = lower.find("\n", pos)
            if pos > start:
                found.append(text[start:end])
            pos = lower.find(low, end)
        return sorted(set(found), key=lambda n: (len(n), n))[:cap]

    def complete(self, text: str, limit: int = 12) -> list[dict]:
        """Names as the user types: those starting with the text (as typed, in lower and in upper
        case; read from the facts' index on names, at most 5,000 each), the text itself first, then
        the shortest; when none starts so, the names one or two edits away. Each with its best kind."""
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

    def _misspelt(self, text: str, limit: int, head: int = 3) -> list[str]:
        """Names within one edit (two for longer text) of `text`, among those sharing its first `head`
        letters in any case (suggestions while typing keep three: the fewer names, the quicker),
        closest first."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        first = text[:head]
        names = self._starting((first, first.lower(), first.upper(), first.capitalize()), 1000000)
        cutoff = 1 if len(text) < 8 else 2
        found = process.extract(text.lower(), {name: name.lower() for name in names}, scorer=Levenshtein.distance,
                                score_cutoff=cutoff, limit=limit)
        return [name for _, _, name in sorted(found, key=lambda f: (f[1], len(f[2]), f[2]))]

    def _starting(self, prefixes, cap: int) -> set[str]:
        """Defined names starting with any of these prefixes (at most `cap` each), read from the
        facts' index on names."""
        names: set[str] = set()
        for prefix in dict.fromkeys(prefixes):
            names.update(name for (name,) in self.conn.execute(
                "SELECT DISTINCT name FROM defs WHERE name >= ? AND name < ? LIMIT ?",
                (prefix, prefix + "\U0010ffff", cap)))
        return names
