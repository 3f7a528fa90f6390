"""Questions answered from the index: definitions, references, callers, callees, registrations.

`Index.open` finds the index (like git: upward from a directory, or `--db`, or `XREF_DB`);
each query returns plain dataclasses that the CLI, the web app and the editors print.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from functools import lru_cache
from pathlib import Path

from xref import store
from xref.limits import Deadline
from xref.sourcefiles import read_regular


class NoIndex(Exception):
    """No index could be found or opened; the message says how to make one."""


@dataclass
class Hit:
    """One answer line: a place in a tree and what is there."""

    name: str
    kind: str
    tree: str
    path: str
    line: int
    text: str = ""
    source: str = "ts"
    function: str = ""  # enclosing function of a reference
    caller: str = ""
    callee: str = ""
    struct: str = ""
    field: str = ""
    how: str = ""
    extra: dict = dc_field(default_factory=dict)

    def to_json(self) -> dict:
        data = asdict(self)
        extra = data.pop("extra")
        data = {k: v for k, v in data.items() if v not in ("", None) or k in ("name", "kind", "tree", "path")}
        data.update(extra)
        return data


def find_index_dir(start: Path, db: str | None = None) -> Path:
    if db:
        path = Path(db)
        if store.current_generation(path) is None:
            if _build_running(path):
                raise NoIndex(f"the index in {path} is still being built; try again when `xref index` ends.")
            raise NoIndex(f"no xref index in {path}; run `xref index SRC --db {path}` to make one.")
        return path
    env = os.environ.get("XREF_DB")
    if env:
        return find_index_dir(start, env)
    for directory in [start, *start.parents]:
        candidate = directory / ".xref"
        if store.current_generation(candidate) is not None:
            return candidate
        if candidate.is_dir() and _build_running(candidate):
            raise NoIndex(f"the index in {candidate} is still being built; try again when `xref index` ends.")
    raise NoIndex("no xref index found here or in any parent directory; run `xref index SRC` to make one.")


def _build_running(index_dir: Path) -> bool:
    """True while an `xref index` holds the directory's lock (a killed one leaves it free)."""
    import fcntl

    try:
        with open(index_dir / "lock") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except FileNotFoundError:
        return False
    except BlockingIOError:
        return True
    return False


def by_basename(files: Iterable[tuple[int, str]]) -> dict[str, list[tuple[int, str]]]:
    """File name -> (id, path) of these files with that name: where an #include may lead."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    for file_id, path in files:
        grouped.setdefault(path.rsplit("/", 1)[-1], []).append((file_id, path))
    return grouped


class Index:
    def __init__(self, index_dir: Path) -> None:
        self.dir = index_dir
        gen = store.current_generation(index_dir)
        if gen is None:
            raise NoIndex(f"no xref index in {index_dir}; run `xref index SRC` to make one.")
        self.gen = gen
        if store.schema_of(gen) != store.SCHEMA_VERSION:
            raise NoIndex(f"the index in {index_dir} was made by another version of xref; run `xref index` again.")
        try:
            self.conn = store.connect(gen / "facts.sqlite", readonly=True)
            self.trees = {id_: (name, Path(root)) for id_, name, root in
                          self.conn.execute("SELECT id, name, root FROM trees")}
        except sqlite3.DatabaseError as err:
            raise NoIndex(f"the index in {index_dir} is unreadable ({err}); rebuild it with `xref index`.") from err
        self._searcher = None
        self._listing: list[tuple[int, int, str]] | None = None
        self._by_basename: dict[str, list[tuple[int, str]]] | None = None
        self._sysdirs: dict[tuple[int, str], list[str] | None] = {}
        self._tree_files: dict[int, set[int]] = {}
        self._weak: dict[tuple[str, str], bool] = {}
        self._arch_dirs: dict[tuple[int, str], int] = {}

    @classmethod
    def open(cls, db: str | None = None, start: Path | None = None) -> Index:
        return cls(find_index_dir((start or Path.cwd()).resolve(), db))

    def set_deadline(self, deadline: Deadline) -> None:
        """Stop this index's queries once `deadline` passes: SQLite, checking every few thousand
        steps, then fails the statement running with "interrupted" (see xref/limits.py)."""
        self.deadline = deadline
        self.conn.set_progress_handler(deadline.passed, 20_000)

    @classmethod
    def on_connection(cls, conn: sqlite3.Connection) -> Index:
        """Queries over a connection the indexer is still writing (its whole-index stages)."""
        index = cls.__new__(cls)
        index.dir, index.gen, index.conn, index._searcher = None, None, conn, None
        index._listing = index._by_basename = None
        index._sysdirs, index._tree_files, index._weak = {}, {}, {}
        index._arch_dirs = {}
        index.trees = {id_: (name, Path(root)) for id_, name, root in conn.execute("SELECT id, name, root FROM trees")}
        return index

    def listing(self) -> list[tuple[int, int, str]]:
        """(id, tree id, path) of every indexed file, read once."""
        if self._listing is None:
            self._listing = self.conn.execute("SELECT id, tree_id, path FROM files").fetchall()
        return self._listing

    def ids_of_absolute(self, paths: list[str]) -> set[int]:
        """The ids of the indexed files among absolute paths (what a unit's list of read files
        names): looked up by (tree, path), without reading the whole file list."""
        ids: set[int] = set()
        for tree_id, (_, root) in self.trees.items():
            prefix = f"{root}/"
            mine = [p[len(prefix):] for p in paths if p.startswith(prefix)]
            if mine:
                ids.update(fid for (fid,) in self.conn.execute(
                    "SELECT f.id FROM json_each(?) j CROSS JOIN files f ON f.tree_id = ? AND f.path = j.value",
                    (json.dumps(mine), tree_id)))
        return ids

    def paths_of(self, ids: set[int]) -> list[tuple[int, str]]:
        """(id, path) of these files."""
        return self.conn.execute("SELECT f.id, f.path FROM json_each(?) j CROSS JOIN files f ON f.id = j.value",
                                 (json.dumps(sorted(ids)),)).fetchall()

    def tree_files(self, tree_id: int) -> set[int]:
        """The ids of one tree's files, read once."""
        if tree_id not in self._tree_files:
            self._tree_files[tree_id] = {file_id for file_id, tid, _ in self.listing() if tid == tree_id}
        return self._tree_files[tree_id]

    def by_basename(self) -> dict[str, list[tuple[int, str]]]:
        """File name -> (id, path) of the indexed files with that name: where an #include may lead."""
        if self._by_basename is None:
            self._by_basename = by_basename((file_id, path) for file_id, _, path in self.listing())
        return self._by_basename

    def arch(self, tree_id: int) -> str:
        """The architecture the tree was configured for (xref's default when it was not)."""
        from xref.conditions import DEFAULT_ARCH

        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (f"arch:{tree_id}",)).fetchone()
        return row[0] if row else DEFAULT_ARCH

    def sysdirs(self, tree_id: int, arch: str | None = None) -> list[str] | None:
        """A glibc tree's sysdeps directories in search order for `arch` (the tree's by default), as
        the indexer found them; None for other trees, or when the order could not be known."""
        key = (tree_id, arch or self.arch(tree_id))
        if key not in self._sysdirs:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (f"sysdirs:{key[0]}:{key[1]}",)).fetchone()
            self._sysdirs[key] = json.loads(row[0]) if row else None
        return self._sysdirs[key]

    def place_rank(self, tree: int | str, path: str) -> int:
        """How close a file is to what the tree builds for its architecture, the rule every answer
        ranks definitions by: 0 the architecture's own code (the kernel's arch/x86/ for x86_64;
        a glibc directory in the target's sysdeps order), 1 generic code, 2 another architecture's
        (the kernel's other arch/ directories; a sysdeps directory the target does not search)."""
        tree_id = tree if isinstance(tree, int) else self.tree_id(tree)
        key = (tree_id, path.split("/", 2)[1] if path.count("/") >= 2 else "")
        if path.startswith("sysdeps/"):
            from xref.sysdeps import sysdeps_rank

            order = self.sysdirs(tree_id) if tree_id is not None else None
            if order is None:
                return 1
            return 2 if sysdeps_rank(path, order) is None else 0
        if not path.startswith("arch/") or tree_id is None:
            return 1
        if key not in self._arch_dirs:
            from xref.conditions import kernel_srcarch

            self._arch_dirs[key] = 0 if key[1] == kernel_srcarch(self.arch(tree_id)) else 2
        return self._arch_dirs[key]

    @lru_cache(maxsize=65536)  # noqa: B019 - one Index lives as long as its connection
    def tree_of(self, file_id: int) -> int:
        return self.conn.execute("SELECT tree_id FROM files WHERE id = ?", (file_id,)).fetchone()[0]

    def tree_id(self, name: str) -> int | None:
        return next((id_ for id_, (name_, _) in self.trees.items() if name_ == name), None)

    def glibc_trees(self) -> list[int]:
        return [int(key.split(":")[1]) for (key,) in self.conn.execute(
            "SELECT key FROM meta WHERE key LIKE 'kind:%' AND value = 'glibc' ORDER BY key")]

    def configuration(self, tree_id: int) -> dict[str, str] | None:
        """The tree's kernel configuration (.config values) when one is known, else None."""
        from xref.conditions import read_config

        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (f"config:{tree_id}",)).fetchone()
        for path in ([Path(row[0])] if row else []) + [self.trees[tree_id][1] / ".config"]:
            if path.is_file():
                return read_config(path)
        return None

    @lru_cache(maxsize=64)  # noqa: B019 - one Index lives as long as its connection
    def build_configuration(self, tree_id: int) -> dict[str, str] | None:
        """The configuration the tree is taken to be built with: the one given or found
        (`configuration`), else the one kbuild's Makefiles were read with (x86_64 defconfig by
        default); None when neither is known."""
        from xref.conditions import read_config

        known = self.configuration(tree_id)
        if known is not None:
            return known
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (f"built_config:{tree_id}",)).fetchone()
        return read_config(Path(row[0])) if row and Path(row[0]).is_file() else None

    # -- helpers --------------------------------------------------------------

    @lru_cache(maxsize=65536)  # noqa: B019 - one Index lives as long as its connection
    def _file(self, file_id: int) -> tuple[str, str, Path]:
        tree_id, path = self.conn.execute("SELECT tree_id, path FROM files WHERE id = ?", (file_id,)).fetchone()
        name, root = self.trees[tree_id]
        return name, path, root / path

    def file_id(self, path: str) -> int | None:
        """An indexed file given as tree-relative, TREE/relative or absolute path."""
        candidates: list[tuple[int, str]] = []
        as_path = Path(path)
        for tree_id, (name, root) in self.trees.items():
            if as_path.is_absolute():
                try:
                    candidates.append((tree_id, str(as_path.resolve().relative_to(root))))
                except ValueError:
                    continue
            else:
                candidates.append((tree_id, path))
                if path.startswith(name + "/"):
                    candidates.insert(0, (tree_id, path[len(name) + 1:]))
        for tree_id, rel in candidates:
            row = self.conn.execute("SELECT id FROM files WHERE tree_id = ? AND path = ?", (tree_id, rel)).fetchone()
            if row:
                return row[0]
        return None

    @lru_cache(maxsize=4096)  # noqa: B019
    def _scopes(self, file_id: int) -> tuple[list[int], list[tuple[int, int, str]]]:
        rows = self.conn.execute(
            "SELECT start, end, name FROM scopes WHERE file_id = ? ORDER BY start", (file_id,)).fetchall()
        return [r[0] for r in rows], rows

    def enclosing(self, file_id: int, line: int) -> str:
        starts, rows = self._scopes(file_id)
        i = bisect.bisect_right(starts, line) - 1
        while i >= 0:
            start, end, name = rows[i]
            if line <= end:
                return name
            i -= 1
        return ""

    @lru_cache(maxsize=256)  # noqa: B019
    def _lines(self, file_id: int) -> list[str]:
        try:
            # Lines as the parsers count them: only "\n" ends one (not the form feeds glibc has).
            return read_regular(self._file(file_id)[2]).decode("utf-8", "replace").split("\n")
        except OSError:
            return []

    def source_line(self, file_id: int, line: int) -> str:
        lines = self._lines(file_id)
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""

    # -- queries --------------------------------------------------------------

    def definitions(self, name: str, kinds: tuple[str, ...] | None = None, guesses: bool = False) -> list[Hit]:
        """Where `name` is defined, best first. `guesses`: keep the macro stage's names at places the
        compiler expanded too (another architecture's `__arm64_sys_sendto` on an x86_64 index)."""
        rows = self.conn.execute(
            "SELECT file_id, line, kind, scope, typeref, signature, source, macro FROM defs WHERE name = ?",
            (name,)).fetchall()
        # The compiler's view of a place wins over the macro stage's, which wins over the
        # parser's (same file, line and kind); where the compiler expanded an invocation, the
        # macro stage's guesses at it (every architecture's names) go.
        clang_places = {(r[0], r[1], r[2]) for r in rows if r[6] == "clang"}
        macro_places = {(r[0], r[1], r[2]) for r in rows if r[6] == "macro"}
        compiled = {(r[0], r[1]) for r in rows if r[6] == "clang"}
        chains = {(r[0], r[1]): r[7] for r in rows if r[6] == "macro" and r[7]}  # the macros' path:line
        hits = []
        for file_id, line, kind, scope, typeref, signature, source, macro in rows:
            if kinds and kind not in kinds:
                continue
            if source == "ts" and ((file_id, line, kind) in clang_places or (file_id, line, kind) in macro_places):
                continue
            if source == "macro" and not guesses and ((file_id, line) in compiled or (
                    self._parsed_unit(file_id) and not self.inactive(file_id, line))):
                continue
            tree, path, _ = self._file(file_id)
            extra = {"scope": scope} if scope else {}
            if typeref:
                extra["type"] = typeref
            if macro:
                extra["macro"] = macro
                chain = macro if source == "macro" else chains.get((file_id, line)) if source == "clang" else None
                if chain and self._weak_chain(chain, self._file(file_id)[0]):
                    extra["weak"] = True  # a fallback the linker drops where a real one exists
            if self.inactive(file_id, line):
                extra["active"] = False  # in an #if branch the configuration skips
            if self._not_compiled(file_id):
                extra["compiled"] = False  # no unit of the configuration reads this file
            hits.append(Hit(name, kind, tree, path, line, signature, source=source, extra=extra))
        return sorted(hits, key=lambda h: (h.extra.get("compiled", True) is False, h.extra.get("weak", False),
                                           DEF_RANK.get(h.kind, 9), self.place_rank(h.tree, h.path), h.tree, h.path,
                                           h.line))

    def _weak_chain(self, chain: str, tree: str) -> bool:
        """Whether a macro on a definition's chain (`COND_SYSCALL (path:line) > ...`) declares it
        weak (`__weak`, `__attribute__((weak))`)."""
        from xref.macros import define_text

        key = (chain, tree)  # many definitions share a chain; `xref path` asks once per hop
        if key not in self._weak:
            self._weak[key] = False
            for path, line in re.findall(r"\(([^():]+):(\d+)\)", chain):
                file_id = self.file_id(f"{tree}/{path}")
                text = define_text(self._lines(file_id), int(line)) if file_id is not None else None
                if text and re.search(r"\b(__weak|weak)\b", text):
                    self._weak[key] = True
                    break
        return self._weak[key]

    def _not_compiled(self, file_id: int) -> bool:
        """True when the semantic pass covered this file's place in the tree and no unit read it,
        or, for a .c file, the configuration does not build it (`built`)."""
        if self.conn.execute("SELECT 1 FROM compiled WHERE file_id = ?", (file_id,)).fetchone():
            return False
        tree_id, path = self.conn.execute("SELECT tree_id, path FROM files WHERE id = ?", (file_id,)).fetchone()
        return self.covered(tree_id, path) or self.built(file_id, tree_id, path) is False

    def built(self, file_id: int, tree_id: int, path: str) -> bool | None:
        """Whether the tree's configuration builds this .c file (kbuild's Makefiles read with its
        .config, no compiler); None for other files, and for trees whose configuration is not known."""
        if not path.endswith(".c") or not self._knows_builds(tree_id):
            return None
        return self.conn.execute("SELECT 1 FROM built WHERE file_id = ?", (file_id,)).fetchone() is not None

    @lru_cache(maxsize=64)  # noqa: B019 - one Index lives as long as its connection
    def _knows_builds(self, tree_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM meta WHERE key = ?", (f"built_config:{tree_id}",)).fetchone() \
            is not None

    def covered(self, tree_id: int, path: str) -> bool:
        """Whether the semantic pass would have compiled `path` if the configuration builds it: it ran
        over the tree, and over all of it or (a .c file) over a directory holding it (`--only`)."""
        scope = self._scope(tree_id)
        if scope is None:
            return False
        return not scope or (path.endswith(".c") and any(path == p or path.startswith(p.rstrip("/") + "/")
                                                          for p in scope))

    @lru_cache(maxsize=64)  # noqa: B019 - one Index lives as long as its connection
    def _scope(self, tree_id: int) -> tuple[str, ...] | None:
        """None: no semantic pass over the tree; (): over all of it; else the --only prefixes."""
        if self.conn.execute("SELECT 1 FROM tus JOIN files f ON f.id = tus.file_id WHERE f.tree_id = ? LIMIT 1",
                             (tree_id,)).fetchone() is None:
            return None
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (f"semantic_only:{tree_id}",)).fetchone()
        return tuple(json.loads(row[0])) if row else ()

    def _parsed_unit(self, file_id: int) -> bool:
        """True when the semantic pass parsed this file as a unit: the compiler's definitions in its
        active code are known, so the macro stage's guesses there (every architecture's) are not needed."""
        return self.conn.execute("SELECT 1 FROM tus WHERE file_id = ? AND status != 'failed'",
                                 (file_id,)).fetchone() is not None

    def inactive(self, file_id: int, line: int) -> bool:
        """True when the semantic pass saw every unit that reads this file skip this line."""
        return self.conn.execute("SELECT 1 FROM inactive WHERE file_id = ? AND start <= ? AND end >= ? LIMIT 1",
                                 (file_id, line, line)).fetchone() is not None

    def references(self, name: str) -> list[Hit]:
        return self.references_page(name)[1]

    def references_page(self, name: str, offset: int = 0, limit: int | None = None) -> tuple[int, list[Hit]]:
        """How many lines use `name`, and those from `offset` on (at most `limit`), in path order:
        only the page's lines are read from the files."""
        places = []
        for file_id, lines, tree_id, path in self.conn.execute(
                "SELECT r.file_id, r.lines, f.tree_id, f.path FROM refs r JOIN files f ON f.id = r.file_id "
                "WHERE r.name = ?", (name,)):
            tree = self.trees[tree_id][0]
            places += [(tree, path, int(line), file_id) for line in lines.split(",")]
        places.sort()
        page = places[offset:None if limit is None else offset + limit]
        return len(places), [Hit(name, "reference", tree, path, line, self.source_line(file_id, line),
                                 function=self.enclosing(file_id, line)) for tree, path, line, file_id in page]

    def callers(self, name: str) -> list[Hit]:
        return self.callers_page(name)[1]

    def callers_page(self, name: str, offset: int = 0, limit: int | None = None) -> tuple[int, list[Hit]]:
        """How many calls of `name` there are, direct and through the fields it is registered in, and
        those from `offset` on (at most `limit`) in path order: only the page's lines are read."""
        found: dict[tuple, tuple] = {}  # (tree, path, line, caller, how) -> (file id, source, struct, field, extra)
        for caller, file_id, line, how, source, tree_id, path in self.conn.execute(
                "SELECT caller, file_id, line, how, source, f.tree_id, f.path FROM calls JOIN files f "
                f"ON f.id = file_id WHERE callee = ? AND how IN ('direct', 'jump') AND {PREFERRED}", (name,)):
            found.setdefault((self.trees[tree_id][0], path, line, caller, how), (file_id, source, "", "", {}))
        # Calls through a struct field where this function is registered.
        for struct, field_, reg_file, reg_line in self.conn.execute(
                "SELECT DISTINCT struct, field, file_id, line FROM regs WHERE func = ? AND struct != '' "
                f"AND how IN ('initializer', 'assignment') AND {PREFERRED}", (name,)):
            reg_tree, reg_path, _ = self._file(reg_file)
            for caller, file_id, line, via, source, tree_id, path in self.conn.execute(
                    "SELECT caller, file_id, line, via, source, f.tree_id, f.path FROM calls JOIN files f "
                    f"ON f.id = file_id WHERE callee = ? AND how = 'field' AND struct = ? AND {PREFERRED}",
                    (field_, struct)):
                found.setdefault((self.trees[tree_id][0], path, line, caller, f"indirect via struct {struct}.{field_}"),
                                 (file_id, source, struct, field_,
                                  {"via": via, "registered": f"{reg_tree}:{reg_path}:{reg_line}"}))
        keys = sorted(found)
        hits = []
        for key in keys[offset:None if limit is None else offset + limit]:
            tree, path, line, caller, how = key
            file_id, source, struct, field_, extra = found[key]
            hits.append(Hit(caller or "<file scope>", "call", tree, path, line, self.source_line(file_id, line),
                            source=source, caller=caller, callee=name, how=how, struct=struct, field=field_,
                            extra=extra))
        return len(keys), hits

    def callees(self, name: str) -> list[Hit]:
        hits = []
        for callee, file_id, line, how, struct, via, source in self.conn.execute(
                "SELECT callee, file_id, line, how, struct, via, source FROM calls WHERE caller = ? "
                f"AND {PREFERRED}", (name,)):
            tree, path, _ = self._file(file_id)
            if how == "field":
                hit = Hit(callee, "call", tree, path, line, self.source_line(file_id, line), caller=name,
                          callee=via or callee, how=f"indirect via struct {struct or '?'}.{callee}",
                          struct=struct, field=callee)
            elif how == "param":
                hit = Hit(callee, "call", tree, path, line, self.source_line(file_id, line), caller=name,
                          callee=callee, how=f"indirect via parameter {via}")
            elif how == "variable":
                hit = Hit(callee, "call", tree, path, line, self.source_line(file_id, line), caller=name,
                          callee=callee, how="indirect via pointer variable")
            else:
                hit = Hit(callee, "call", tree, path, line, self.source_line(file_id, line), caller=name,
                          callee=callee, how=how)
            hit.source = source
            hits.append(hit)
        return _unique(hits)

    def call_targets(self, call: Hit) -> list[str]:
        """The functions a call `callees` found may reach: its callee, or for a call through a
        struct field, the functions registered in that field (none when nothing is)."""
        if call.struct and call.field:
            return sorted({r.name for r in self.registrations(struct=call.struct, field_=call.field)})
        return [call.callee]

    def registrations(self, name: str | None = None, struct: str | None = None,
                      field_: str | None = None) -> list[Hit]:
        if name is not None:
            rows = self.conn.execute(
                "SELECT struct, field, func, file_id, line, how, callee, argpos, context, source FROM regs "
                f"WHERE func = ? AND how NOT IN ('copy', 'param', 'forward') AND {PREFERRED}", (name,)).fetchall()
        else:
            rows = self.conn.execute(
                "SELECT struct, field, func, file_id, line, how, callee, argpos, context, source FROM regs "
                f"WHERE field = ? AND (struct = ? OR ? = '') AND how != 'forward' AND {PREFERRED}",
                (field_, struct or "", struct or "")).fetchall()
        hits = []
        for struct_, field__, function, file_id, line, how, callee, argpos, context, source in rows:
            tree, path, _ = self._file(file_id)
            extra = {}
            if how == "argument":
                extra = {"callee": callee, "argpos": argpos}
            elif how == "copy":  # the field holds what context's field `function` holds
                function = f"{context}.{function}"
            elif how == "param":  # the field holds what context's callers pass at argpos
                function, extra = f"{function} (parameter {argpos} of {context})", {"argpos": argpos}
            if context:
                extra["context"] = context
            hits.append(Hit(function, "registration", tree, path, line, self.source_line(file_id, line),
                            struct=struct_, field=field__, how=how, source=source, extra=extra))
        if name is not None:
            hits += self._copied_registrations(name, {(h.struct, h.field) for h in hits if h.struct})
        return sorted(hits, key=lambda h: (h.tree, h.path, h.line))

    def _copied_registrations(self, name: str, fields: set[tuple[str, str]]) -> list[Hit]:
        """The fields that `name`'s registrations are copied into (`neigh->output =
        neigh->ops->output`: neigh_resolve_output, registered in neigh_ops.output, is in
        neighbour.output too), each at the copy, with the field it came from."""
        hits = []
        for (struct, field), (into, into_field), file_id, line, source in self.copies(fields):
            tree, path, _ = self._file(file_id)
            hits.append(Hit(name, "registration", tree, path, line, self.source_line(file_id, line),
                            struct=into, field=into_field, how="copy", source=source,
                            extra={"from": f"{struct}.{field}"}))
        return hits

    def copies(self, fields, depth: int = 3) -> list[tuple[tuple[str, str], tuple[str, str], int, int, str]]:
        """Where what these struct fields hold is copied into other fields, and from those on, up
        to `depth` copies away, breadth first: (from, into, file id, line, source) of each copy,
        the compiler's facts where a unit parsed the file."""
        out, seen, frontier = [], set(fields), sorted(fields)
        for _ in range(depth):
            reached = []
            for struct, field in frontier:
                for into, into_field, file_id, line, source in self.conn.execute(
                        "SELECT struct, field, file_id, line, source FROM regs WHERE how = 'copy' AND context = ? "
                        f"AND func = ? AND {PREFERRED} ORDER BY file_id, line", (struct, field)).fetchall():
                    out.append(((struct, field), (into, into_field), file_id, line, source))
                    if (into, into_field) not in seen:
                        seen.add((into, into_field))
                        reached.append((into, into_field))
            frontier = reached
        return out

    def search(self, text: str, kind: str | None = None, limit: int = 50):
        return self._search().search(text, kind, limit)

    def complete(self, text: str, limit: int = 12) -> list[dict]:
        """What to suggest while a name is typed: prefix matches first, then close misspellings."""
        return self._search().complete(text, limit)

    def _search(self):
        from xref.search import Searcher

        if self._searcher is None:
            self._searcher = Searcher(self.gen, self.conn)
        return self._searcher

    def stats(self) -> dict:
        count = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "trees": {name: str(root) for name, root in self.trees.values()},
            "files": count("SELECT count(*) FROM files"),
            "definitions": count("SELECT count(*) FROM defs"),
            "reference_lines": count("SELECT coalesce(sum(length(lines) - length(replace(lines, ',', '')) + 1), 0) "
                                     "FROM refs"),
            "calls": count("SELECT count(*) FROM calls"),
            "registrations": count("SELECT count(*) FROM regs"),
            "includes": count("SELECT count(*) FROM includes"),
            "syscall_rows": count("SELECT count(*) FROM syscalls"),
            "skipped": count("SELECT count(*) FROM skipped"),
            "translation_units": count("SELECT count(*) FROM tus"),
            "units_with_errors": count("SELECT count(*) FROM tus WHERE status = 'errors'"),
            "units_failed": count("SELECT count(*) FROM tus WHERE status = 'failed'"),
            "layers": self.layers(),
            "generation": self.gen.name,
        }

    def layers(self) -> dict[str, dict]:
        """Per tree, where its facts come from: definitions and calls by layer (ts: tree-sitter,
        macro: the macro stage, clang: the semantic pass), the .c files its configuration builds
        (kbuild's Makefiles, no compiler) and the units the semantic pass parsed."""
        out = {}
        for tree_id, (name, _) in sorted(self.trees.items()):
            by = {}
            for table in ("defs", "calls"):
                by[table] = dict(self.conn.execute(
                    f"SELECT t.source, count(*) FROM {table} t JOIN files f ON f.id = t.file_id "
                    "WHERE f.tree_id = ? GROUP BY t.source", (tree_id,)).fetchall())
            config = self.conn.execute("SELECT value FROM meta WHERE key = ?", (f"built_config:{tree_id}",)).fetchone()
            out[name] = {
                "definitions": by["defs"], "calls": by["calls"],
                "built_files": self.conn.execute(
                    "SELECT count(*) FROM built b JOIN files f ON f.id = b.file_id WHERE f.tree_id = ?",
                    (tree_id,)).fetchone()[0] if config else None,
                "configuration": config[0] if config else None,
                "units": self.conn.execute("SELECT count(*) FROM tus JOIN files f ON f.id = tus.file_id "
                                           "WHERE f.tree_id = ?", (tree_id,)).fetchone()[0],
            }
        return out

    def failed_units(self) -> list[Hit]:
        """Translation units the semantic pass could not parse, with the compiler's reason."""
        hits = []
        for file_id, message in self.conn.execute("SELECT file_id, message FROM tus WHERE status = 'failed'"):
            tree, path, _ = self._file(file_id)
            hits.append(Hit(path, "unit", tree, path, 0, message, source="clang"))
        return sorted(hits, key=lambda h: (h.tree, h.path))


# In a file the semantic pass parsed, its calls and registrations replace the parser's.
PREFERRED = "(source = 'clang' OR file_id NOT IN (SELECT file_id FROM clang_files))"

DEF_RANK = {"function": 0, "label": 0, "alias": 1, "macro": 1, "struct": 1, "union": 1, "enum": 1, "typedef": 2,
             "variable": 2, "enumerator": 3, "member": 3, "syscall": 4, "prototype": 5, "extern": 6}



def _unique(hits: list[Hit]) -> list[Hit]:
    seen = set()
    out = []
    for hit in sorted(hits, key=lambda h: (h.tree, h.path, h.line, h.caller, h.callee)):
        key = (hit.tree, hit.path, hit.line, hit.caller, hit.callee, hit.how)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out
