"""The index store: one SQLite database of facts per generation, inside an index directory.

`.xref/CURRENT` names the live generation; a full build writes a new one beside it and
swaps CURRENT atomically, so an interrupted build leaves the previous index usable.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

SCHEMA_VERSION = "23"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS trees(id INTEGER PRIMARY KEY, name TEXT UNIQUE, root TEXT);
CREATE TABLE IF NOT EXISTS files(
    id INTEGER PRIMARY KEY, tree_id INT, path TEXT, hash TEXT, size INT, mtime INT,
    lang TEXT, errors INT, UNIQUE(tree_id, path));
CREATE TABLE IF NOT EXISTS defs(
    name TEXT, file_id INT, line INT, end_line INT, kind TEXT, scope TEXT,
    typeref TEXT, signature TEXT, source TEXT, macro TEXT);
CREATE TABLE IF NOT EXISTS scopes(file_id INT, start INT, end INT, name TEXT);
CREATE TABLE IF NOT EXISTS refs(name TEXT, file_id INT, lines TEXT);
CREATE TABLE IF NOT EXISTS calls(
    caller TEXT, callee TEXT, file_id INT, line INT, how TEXT, struct TEXT, via TEXT, source TEXT);
CREATE TABLE IF NOT EXISTS regs(
    struct TEXT, field TEXT, func TEXT, file_id INT, line INT, how TEXT,
    callee TEXT, argpos INT, context TEXT, source TEXT);
CREATE TABLE IF NOT EXISTS includes(file_id INT, target TEXT, line INT, system INT);
CREATE TABLE IF NOT EXISTS syscalls(
    file_id INT, nr INT, abi TEXT, name TEXT, entry TEXT, compat TEXT, line INT);
-- glibc's syscalls.list rows: routine (the object's file name), caller, the kernel's name for the
-- call, argument letters, the strong symbol and the weak ones (space-separated).
CREATE TABLE IF NOT EXISTS glibc_calls(
    file_id INT, line INT, routine TEXT, caller TEXT, syscall TEXT, args TEXT, strong TEXT, weak TEXT);
-- Function-like uses at file scope (args: a JSON list); the macro stage expands those of macros.
CREATE TABLE IF NOT EXISTS invocations(file_id INT, line INT, name TEXT, args TEXT, block INT);
-- Headers a file expands as an X-macro list (indexer/xmacros.py): when one changes, so do the file's facts.
CREATE TABLE IF NOT EXISTS xlists(file_id INT, header TEXT);
-- Lines of the branches the code marks as rare (`if (unlikely(...))`, the else of `likely`).
CREATE TABLE IF NOT EXISTS unlikely(file_id INT, start INT, end INT);
CREATE TABLE IF NOT EXISTS skipped(tree_id INT, path TEXT, reason TEXT);
-- The semantic pass: one row per translation unit (its main file), with the cache key (flags and
-- the contents of every file it read), the files it read, and how the parse went.
CREATE TABLE IF NOT EXISTS tus(
    file_id INTEGER PRIMARY KEY, config TEXT, args TEXT, key TEXT, deps BLOB, skipped BLOB,
    status TEXT, message TEXT);
-- Files whose calls and registrations come from the semantic pass: each unit's main file, and
-- each header whose inline functions the first unit to walk them claimed (tu: that unit's file).
CREATE TABLE IF NOT EXISTS clang_files(file_id INTEGER PRIMARY KEY, tu INT);
-- Files some translation unit read, and the #if regions every one of them skipped.
CREATE TABLE IF NOT EXISTS compiled(file_id INTEGER PRIMARY KEY);
-- The .c files a kernel tree's configuration builds (kbuild's Makefiles read with its .config;
-- no compiler): what the tree-sitter layer knows of the build before any semantic pass.
CREATE TABLE IF NOT EXISTS built(file_id INTEGER PRIMARY KEY);
-- Those of them built only into modules (obj-m): code a running kernel has only once it loads them.
CREATE TABLE IF NOT EXISTS modular(file_id INTEGER PRIMARY KEY);
-- Macro definitions the preprocessor read in some unit of the configuration (active ones).
CREATE TABLE IF NOT EXISTS macros(
    file_id INT, line INT, name TEXT, params TEXT, body TEXT, PRIMARY KEY(file_id, line));
CREATE TABLE IF NOT EXISTS inactive(file_id INT, start INT, end INT);
-- Names defined since the search index was written (a re-index adds them here, in its
-- transaction; the search index itself is written only by a fresh build).
CREATE TABLE IF NOT EXISTS added_names(name TEXT PRIMARY KEY, lower TEXT) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS added_names_lower ON added_names(lower);
"""

# defs_name holds file_id and line too: a name's first place is read from the index alone (a
# search places 50 names; on a cold disk each row read from the table cost 45 ms). defs_inline
# lists the inline functions (CallGraph.inline): read from the table, the signatures of the
# kernel's hundreds of `probe`s and `init`s took 15 minutes for the truth test's names.
INDEXES = """
CREATE INDEX IF NOT EXISTS defs_name ON defs(name, kind, file_id, line);
CREATE INDEX IF NOT EXISTS defs_file ON defs(file_id);
CREATE INDEX IF NOT EXISTS defs_inline ON defs(name, file_id) WHERE kind = 'function' AND signature LIKE '%inline%';
CREATE INDEX IF NOT EXISTS refs_name ON refs(name);
CREATE INDEX IF NOT EXISTS refs_file ON refs(file_id);
CREATE INDEX IF NOT EXISTS calls_callee ON calls(callee);
CREATE INDEX IF NOT EXISTS calls_caller ON calls(caller);
CREATE INDEX IF NOT EXISTS calls_file ON calls(file_id);
CREATE INDEX IF NOT EXISTS regs_func ON regs(func);
CREATE INDEX IF NOT EXISTS regs_field ON regs(field, struct);
CREATE INDEX IF NOT EXISTS regs_file ON regs(file_id);
CREATE INDEX IF NOT EXISTS regs_context ON regs(context, how);
CREATE INDEX IF NOT EXISTS regs_callee ON regs(callee);
CREATE INDEX IF NOT EXISTS scopes_file ON scopes(file_id, start);
CREATE INDEX IF NOT EXISTS includes_file ON includes(file_id);
CREATE INDEX IF NOT EXISTS includes_target ON includes(target);
CREATE INDEX IF NOT EXISTS syscalls_name ON syscalls(name);
CREATE INDEX IF NOT EXISTS syscalls_file ON syscalls(file_id);
CREATE INDEX IF NOT EXISTS glibc_calls_routine ON glibc_calls(routine);
CREATE INDEX IF NOT EXISTS glibc_calls_file ON glibc_calls(file_id);
CREATE INDEX IF NOT EXISTS inactive_file ON inactive(file_id, start);
CREATE INDEX IF NOT EXISTS clang_files_tu ON clang_files(tu);
CREATE INDEX IF NOT EXISTS macros_name ON macros(name);
CREATE INDEX IF NOT EXISTS invocations_name ON invocations(name);
CREATE INDEX IF NOT EXISTS invocations_file ON invocations(file_id);
CREATE INDEX IF NOT EXISTS xlists_header ON xlists(header);
CREATE INDEX IF NOT EXISTS unlikely_file ON unlikely(file_id);
"""

FACT_TABLES = ("defs", "scopes", "refs", "calls", "regs", "includes", "syscalls", "invocations", "glibc_calls",
               "xlists", "unlikely")


def current_generation(index_dir: Path) -> Path | None:
    marker = index_dir / "CURRENT"
    try:
        name = marker.read_text().strip()
    except OSError:
        return None
    gen = index_dir / name
    return gen if (gen / "facts.sqlite").is_file() else None


def schema_of(gen: Path) -> str:
    """The schema version a generation was written with ('' if unreadable)."""
    try:
        conn = _read_only(gen / "facts.sqlite")
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return ""
    return row[0] if row else ""


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    gen = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    gen.mkdir()
    return gen


def remove_abandoned(index_dir: Path, live: Path | None) -> None:
    """Remove the generations a killed fresh build left behind (the caller holds the index's lock)."""
    for gen in index_dir.glob("gen-*"):
        if gen != live and gen.is_dir():
            shutil.rmtree(gen, ignore_errors=True)


def publish_generation(index_dir: Path, gen: Path) -> None:
    """Make `gen` the live generation and remove the others."""
    tmp = index_dir / f"CURRENT.tmp{os.getpid()}"
    tmp.write_text(gen.name + "\n")
    os.replace(tmp, index_dir / "CURRENT")
    for old in index_dir.glob("gen-*"):
        if old != gen:
            shutil.rmtree(old, ignore_errors=True)


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = _read_only(path)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # Index builds sort in temporary files and a helper thread, not in this process's memory.
        conn.execute("PRAGMA cache_size=-100000")
        conn.execute("PRAGMA threads=2")
        return conn
    conn.execute("PRAGMA cache_size=-200000")
    conn.execute("PRAGMA temp_store=MEMORY")
    # Pages read straight from the OS's cache: a server's many connections share one copy.
    conn.execute("PRAGMA mmap_size=17179869184")
    return conn


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection; on a read-only file system, where SQLite cannot make the shared
    memory file a WAL database's readers need, one that takes the file as immutable."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return conn
    except sqlite3.OperationalError:
        conn.close()
    return sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))


def create_indexes(conn: sqlite3.Connection, names: list[str] | None = None) -> None:
    """Every index (those named, if given) that is not there yet."""
    # One statement at a time: executescript() would commit the caller's transaction.
    for statement in filter(str.strip, INDEXES.split(";")):
        if names is None or statement.split()[5] in names:
            conn.execute(statement)


def release_units(conn: sqlite3.Connection, tu_ids: list[int]) -> None:
    """Forget what these translation units contributed: their clang facts and their claims on files."""
    for tu in tu_ids:
        claimed = [row[0] for row in conn.execute("SELECT file_id FROM clang_files WHERE tu = ?", (tu,))]
        for file_id in claimed:
            for table in ("defs", "calls", "regs"):
                conn.execute(f"DELETE FROM {table} WHERE file_id = ? AND source = 'clang'", (file_id,))
        conn.execute("DELETE FROM clang_files WHERE tu = ?", (tu,))


def struct_of_type(type_text: str) -> str:
    """'const struct proto_ops *' -> 'proto_ops'; a typedef name stays as it is."""
    words = type_text.replace("*", " ").replace("(", " ").split()
    for i, word in enumerate(words):
        if word in ("struct", "union") and i + 1 < len(words):
            return words[i + 1]
    rest = [w for w in words if w not in ("const", "volatile", "static", "extern", "register", "enum", "inline")]
    return rest[-1] if rest else ""


# Of several definitions of a name (one per architecture, or per #if branch), the one a type is
# read from: a type, and the same one in a fresh build and a re-index (not the first stored).
_FIRST = "ORDER BY typeref = '', typeref"


class StructResolver:
    """Turns the struct paths the parser leaves ('rtable.dst', '()skb_dst') into struct names.

    A path is a struct (or a function whose return type is one) followed by member names;
    member types come from the definitions of the whole index, typedefs are followed.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[str, str] = {}

    def _typeref(self, sql: str, args: tuple) -> str:
        row = self.conn.execute(sql, args).fetchone()
        return row[0] if row and row[0] else ""

    def _through_typedef(self, name: str, depth: int = 0) -> str:
        if depth > 4 or not name:
            return name
        is_struct = self._typeref(
            "SELECT kind FROM defs WHERE name = ? AND kind IN ('struct', 'union') LIMIT 1", (name,))
        if is_struct:
            return name
        typeref = self._typeref(
            f"SELECT typeref FROM defs WHERE name = ? AND kind = 'typedef' {_FIRST} LIMIT 1", (name,))
        return self._through_typedef(struct_of_type(typeref), depth + 1) if typeref else name

    def resolve(self, path: str) -> str:
        if "." not in path and not path.startswith("()"):
            return self._through_typedef(path) if path else path
        if path in self.cache:
            return self.cache[path]
        head, *members = path.split(".")
        if head.startswith("()"):
            head = struct_of_type(self._typeref(
                "SELECT typeref FROM defs WHERE name = ? AND kind IN ('function', 'prototype') "
                f"AND typeref != '' {_FIRST} LIMIT 1",
                (head[2:],)))
        struct = self._through_typedef(head)
        members.reverse()
        steps = 0
        while members and struct and steps < 16:  # macros naming members cannot loop it forever
            steps += 1
            member = members.pop()
            typeref = self._typeref(
                f"SELECT typeref FROM defs WHERE name = ? AND kind = 'member' AND scope = ? {_FIRST} LIMIT 1",
                (member, struct))
            if not typeref and (alias := self._member_alias(member)):
                members += reversed(alias)  # `#define sk_prot __sk_common.skc_prot`: a member of a member
                continue
            struct = self._through_typedef(struct_of_type(typeref)) if typeref else ""
        self.cache[path] = struct
        return struct

    def _member_alias(self, member: str) -> list[str]:
        """The members a macro names a member by (`#define sk_prot __sk_common.skc_prot`, as
        struct sock reaches what it shares with struct sock_common), or none."""
        text = self._typeref("SELECT signature FROM defs WHERE name = ? AND kind = 'macro' "
                             "AND signature LIKE '%.%' ORDER BY signature LIMIT 1", (member,))
        match = re.fullmatch(r"\s*#\s*define\s+\w+\s+(\w+(?:\s*\.\s*\w+)+)\s*", text)
        return [part.strip() for part in match.group(1).split(".")] if match else []

    def resolve_table(self, table: str, scope: str = "", column: str = "struct", how: str = "") -> int:
        """Replace every struct path in `table`'s `column` by its struct, in one pass.

        `scope` narrows the rows with an SQL condition on them ("AND file_id IN (...)"), `how`
        to the rows of that kind.
        """
        if how:
            scope = f"AND how = '{how}' {scope}"
        paths = [row[0] for row in self.conn.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} != '' {scope}")]
        mapping = [(path, resolved) for path in paths if (resolved := self.resolve(path)) != path]
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS struct_map(path TEXT PRIMARY KEY, resolved TEXT)")
        self.conn.execute("DELETE FROM struct_map")
        self.conn.executemany("INSERT INTO struct_map VALUES (?, ?)", mapping)
        self.conn.execute(
            f"UPDATE {table} SET {column} = (SELECT resolved FROM struct_map WHERE path = {table}.{column}) "
            f"WHERE {column} IN (SELECT path FROM struct_map) {scope}")
        return len(mapping)
