"""The indexing pipeline: discover files, extract facts in a process pool, write them once.

Stages, top to bottom: `discover` (walk the trees), `plan` (which files changed, by size,
mtime and content hash), `extract_file` (one file -> FileFacts, in a worker), `write_facts`
(the single writer), then `finish` (resolve struct paths, drop non-function arguments,
build the search index).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import xmacros
from indexer.asm import extract_asm
from indexer.cparse import extract_c, includes_of
from indexer.facts import FileFacts
from indexer.tables import extract_syscalls_list, extract_table
from indexer.workers import init_worker, interrupts_held
from xref import search, store
from xref.conditions import DEFAULT_ARCH
from xref.sourcefiles import on_disk, read_regular, stored_name

if TYPE_CHECKING:
    from indexer import semantic as semantic_mod

MAX_FILE_BYTES = int(os.environ.get("XREF_MAX_FILE_BYTES", 64 * 1024 * 1024))
LANGS = {".c": "c", ".h": "c", ".S": "asm", ".tbl": "table"}
EXTRACTORS = {"c": extract_c, "asm": extract_asm, "table": extract_table, "list": extract_syscalls_list}
SKIP_DIRS = {".git", ".xref", ".hg", ".svn", "__pycache__"}

# (tree id, path relative to the tree, absolute path, size, mtime_ns)
Candidate = tuple[int, str, str, int, int]
# Rows for each fact table, in store.FACT_TABLES order, with the file id already in them.
Rows = tuple[list[tuple], ...]
# (file id, tree id, relative path, size, mtime_ns, hash, lang, rows or None, skip reason, parse errors)
Extracted = tuple[int, int, str, int, int, str, str, "Rows | None", str, int]


@dataclass
class Tree:
    name: str
    root: Path


@dataclass
class Summary:
    files: int = 0
    parsed: int = 0
    unchanged: int = 0
    removed: int = 0
    definitions: int = 0
    macro_definitions: int = 0  # of the definitions, those only a macro expansion makes
    macro_seconds: float = 0.0  # the macro stage's part of `seconds`
    references: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0  # until the facts were committed and queryable
    search_seconds: float = 0.0  # then the name search index
    semantic: list = field(default_factory=list)  # one semantic.SemanticSummary per configured tree
    written: list[int] = field(default_factory=list, repr=False)  # ids of the files parsed this run
    headers_changed: bool = False  # a header was parsed or removed: macro definitions may differ
    macro_removed: int = field(default=0, repr=False)  # definitions by macros that went with their files

    def line(self) -> str:
        facts = (f"indexed {self.files} files ({self.parsed} parsed, {self.unchanged} unchanged, "
                 f"{self.removed} removed): {self.definitions} definitions ({self.macro_definitions} by macros in "
                 f"{self.macro_seconds:.1f} s), "
                 f"{self.references} references, "
                 f"{len(self.skipped)} skipped, {self.seconds:.1f} s (+ {self.search_seconds:.1f} s search index)")
        return "\n".join([s.line() for s in self.semantic] + [facts])


class IndexBusy(Exception):
    """Another `xref index` holds the lock on this index directory."""


class Interrupted(Exception):
    """Ctrl-C stopped a run; `published` says whether what it did was published before."""

    def __init__(self, published: bool) -> None:
        super().__init__("interrupted")
        self.published = published


def language_of(name: str) -> str:
    if name.rsplit("/", 1)[-1] == "syscalls.list":
        return "list"
    if name.endswith(".tbl"):
        return "table" if "syscall" in name else ""
    return LANGS.get(os.path.splitext(name)[1], "")


def discover(tree_id: int, root: Path, skipped: list[tuple[str, str]]) -> Iterator[Candidate]:
    """Every indexable file under root; symlinks to directories are not followed (no loops)."""
    root_str = str(root)
    prefix = len(root_str) + 1
    stack = [root_str]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name, reverse=True)
        except OSError as err:
            skipped.append((directory[prefix:] or ".", f"unreadable directory ({err.strerror})"))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIP_DIRS:
                    stack.append(entry.path)
                continue
            if not language_of(entry.name):
                continue
            rel = stored_name(entry.path[prefix:])
            try:
                st = entry.stat()
            except OSError as err:
                skipped.append((rel, f"cannot stat ({err.strerror})"))
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append((rel, "not a regular file"))
                continue
            if entry.is_symlink() and not os.path.realpath(entry.path).startswith(root_str + os.sep):
                skipped.append((rel, "symlink pointing outside the tree"))
                continue
            yield tree_id, rel, entry.path, st.st_size, st.st_mtime_ns


def extract_file(task: tuple[Candidate, str, int]) -> Extracted:
    """Read, hash and parse one file into table rows (runs in a worker process)."""
    (tree_id, rel, full, size, mtime), old_hash, file_id = task
    lang = language_of(rel)
    if size > MAX_FILE_BYTES:
        return file_id, tree_id, rel, size, mtime, "", lang, None, f"larger than {MAX_FILE_BYTES >> 20} MiB", 0
    try:
        data = read_regular(full, MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return file_id, tree_id, rel, size, mtime, "", lang, None, "vanished during the run", 0
    except OSError as err:
        return file_id, tree_id, rel, size, mtime, "", lang, None, f"unreadable ({err.strerror})", 0
    if len(data) > MAX_FILE_BYTES:  # grew since it was listed
        return file_id, tree_id, rel, size, mtime, "", lang, None, f"larger than {MAX_FILE_BYTES >> 20} MiB", 0
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if digest == old_hash:
        return file_id, tree_id, rel, len(data), mtime, digest, lang, None, "unchanged", 0
    if b"\0" in data[:8192]:
        return file_id, tree_id, rel, len(data), mtime, digest, lang, None, "binary", 0
    try:
        if lang == "c":
            facts = _extract_c_spliced(data, rel, full)
        else:
            facts = EXTRACTORS[lang](data)
    except RecursionError:
        return file_id, tree_id, rel, len(data), mtime, digest, lang, None, "too deeply nested to parse", 0
    return file_id, tree_id, rel, len(data), mtime, digest, lang, rows_of(file_id, facts), "", facts.parse_errors


def _extract_c_spliced(data: bytes, rel: str, full: str) -> FileFacts:
    """extract_c, with X-macro include lines replaced by what they expand to (indexer/xmacros.py)."""
    spliced, made, headers = xmacros.splice(data, rel, full[: len(full) - len(rel)].rstrip(os.sep))
    facts = extract_c(spliced)
    if made:
        facts.includes = includes_of(data)  # the list's include is still an include
        facts.lists = headers
        for definition in facts.definitions:
            if definition.line in made and definition.kind != "macro":
                definition.macro = made[definition.line]
    return facts


def rows_of(file_id: int, facts: FileFacts) -> Rows:
    """The facts as rows of store.FACT_TABLES: built here, in the worker, so the writer only inserts."""
    return (
        [(d.name, file_id, d.line, d.end_line, d.kind, d.scope, d.typeref, d.signature, "ts", d.macro)
         for d in facts.definitions],
        [(file_id, sc.start, sc.end, sc.name) for sc in facts.scopes],
        [(name, file_id, ",".join(map(str, lines))) for name, lines in facts.references.items()],
        [(c.caller, c.callee, file_id, c.line, c.how, c.struct, c.via, "ts") for c in facts.calls],
        [(r.struct, r.field, r.function, file_id, r.line, r.how, r.callee, r.argpos, r.context, "ts")
         for r in facts.registrations],
        [(file_id, i.target, i.line, int(i.system)) for i in facts.includes],
        [(file_id, t.number, t.abi, t.name, t.entry, t.compat, t.line) for t in facts.table_rows],
        [(file_id, v.line, v.name, json.dumps(v.args), int(v.block)) for v in facts.invocations],
        [(file_id, r.line, r.routine, r.caller, r.syscall, r.args, r.strong, " ".join(r.weak))
         for r in facts.list_rows],
        [(file_id, header) for header in facts.lists],
        [(file_id, start, end) for start, end in facts.unlikely],
    )


_INSERTS = {table: f"INSERT INTO {table} VALUES ({','.join('?' * width)})" for table, width in
            zip(store.FACT_TABLES, (10, 4, 3, 8, 10, 4, 7, 5, 8, 2, 3), strict=True)}


def write_rows(conn: sqlite3.Connection, rows: Rows) -> None:
    for table, table_rows in zip(store.FACT_TABLES, rows, strict=True):
        if table_rows:
            conn.executemany(_INSERTS[table], table_rows)


def delete_facts(conn: sqlite3.Connection, file_ids: list[int]) -> None:
    # A changed file's clang facts go too: the units that read it are parsed again.
    store.release_units(conn, file_ids)
    for table in (*store.FACT_TABLES, "tus", "clang_files", "macros"):
        conn.executemany(f"DELETE FROM {table} WHERE file_id = ?", [(i,) for i in file_ids])


def _lock(index_dir: Path):
    import fcntl

    index_dir.mkdir(parents=True, exist_ok=True)
    fh = open(index_dir / "lock", "w")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise IndexBusy(f"another xref index is running on {index_dir}; wait for it to finish.") from None
    return fh


@dataclass
class SemanticRequest:
    """`--semantic`: parse what a configuration compiles with libclang after the tree-sitter pass."""

    arch: str = DEFAULT_ARCH
    build: Path | None = None  # the build directory (default: xref's cache, prepared on first use)
    only: list[str] | None = None  # tree-relative prefixes to limit the units to
    log: Callable[[str], None] = print
    config: Path | None = None  # the kernel's .config (default: the build directory's, or defconfig)
    timeout: float = 120.0  # seconds one unit may take before it is given up (recorded as failed)
    glibc_tests: bool = False  # also glibc's test programs (not part of the library)
    trees: set[str] | None = None  # the trees to parse (default: all)


@dataclass
class BuildRequest:
    """What a kernel tree's configuration builds, known without a compiler (see `_built`): for
    which architecture, from which .config (default: the build directory's, the tree's own, or
    the architecture's defconfig)."""

    arch: str = DEFAULT_ARCH
    config: Path | None = None
    build: Path | None = None  # the build directory (default: xref's cache)
    log: Callable[[str], None] = print


def run(trees: list[Tree], index_dir: Path, jobs: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        semantic_request: SemanticRequest | None = None, build_request: BuildRequest | None = None) -> Summary:
    """Index `trees` into `index_dir`: incrementally into the live generation if there is one.

    Everything a run changes is published at once, or not at all: a re-index writes the facts,
    the definitions macros make, the semantic pass and the names new to search in one SQLite
    transaction (a kill or a failure rolls it back, and the next run does the work again); a
    fresh build writes a generation of its own and publishes it by swapping CURRENT.
    """
    started = time.monotonic()
    lock = _lock(index_dir)
    searcher = None  # a fresh build's search-index process (daemonic: it dies with us)
    gen = conn = None
    fresh = published = committing = False
    try:
        live = store.current_generation(index_dir)
        store.remove_abandoned(index_dir, live)
        if live is not None and store.schema_of(live) != store.SCHEMA_VERSION:
            live = None  # written by another version of xref: build anew beside it
        fresh = live is None
        gen = store.new_generation(index_dir) if fresh else live
        conn = store.connect(gen / "facts.sqlite")
        if fresh:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
        store.create_schema(conn)
        conn.execute("BEGIN")
        jobs = jobs or os.cpu_count() or 1
        summary, touched, searcher = _index_into(conn, trees, jobs, progress, fresh, gen)
        _step("facts")
        _built(conn, trees, build_request or BuildRequest())
        _glibc_orders(conn, trees)  # before the macro stage, which ranks glibc's macros by them
        new_names: set[str] = set(touched)  # names the search index has not got yet
        if fresh or summary.parsed or summary.removed:
            new_names |= _macro_stage(conn, summary, fresh)
        else:
            summary.macro_definitions = _count(conn, "macro_definitions", 0)
        _step("macros")
        if semantic_request is not None:
            summary.semantic, clang_names = _semantic(conn, trees, jobs, semantic_request, progress,
                                                      gen / "semantic-units.sqlite")
            new_names |= clang_names
            _glibc_orders(conn, trees)  # configure's order, now that there is a build
            _step("semantic")
        search.add_names(conn, new_names)
        _step("search")
        committing = True
        conn.execute("COMMIT")
        published = not fresh
        _step("committed")
        facts_done = time.monotonic()
        summary.seconds = facts_done - started
        if fresh:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.close()

        if searcher is not None:  # a fresh build wrote the search index beside SQLite's indexes
            searcher.join()
            if searcher.exitcode != 0:
                raise RuntimeError("building the search index failed")
        elif not (gen / "search").is_dir():  # lost, or never made: made again from the facts
            search.build(gen, store.connect(gen / "facts.sqlite"))
        # A fresh build's search index was written from the parser's names, before the macro
        # stage and the semantic pass found theirs: they join it before it is published (a
        # re-index's, once FOLD_AT of them wait).
        conn = store.connect(gen / "facts.sqlite")
        search.fold_added(gen, conn, 1 if fresh else search.FOLD_AT)
        conn.close()
        if fresh:
            # written with synchronous=OFF: make it durable before it becomes the live index
            fd = os.open(gen / "facts.sqlite", os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            store.publish_generation(index_dir, gen)
            published = True
        summary.search_seconds = time.monotonic() - facts_done
        return summary
    except BaseException as err:
        if not published:
            # A signal is handled only once the call it arrived in returns: after a COMMIT or a
            # swap of CURRENT that did happen (and then the new generation must not be removed).
            published = (committing and not fresh and not conn.in_transaction) or (
                fresh and gen is not None and store.current_generation(index_dir) == gen)
        if searcher is not None and searcher.is_alive():
            searcher.terminate()
        if conn is not None and not fresh:
            _roll_back(conn)
        if fresh and gen is not None and not published:
            shutil.rmtree(gen, ignore_errors=True)  # never published: nobody reads it
        if isinstance(err, KeyboardInterrupt):
            raise Interrupted(published) from None
        raise
    finally:
        lock.close()


def _roll_back(conn: sqlite3.Connection) -> None:
    """Undo the run's transaction, if it is still open (SQLite undoes it anyway when the process
    dies, or the next time the database is opened)."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    except sqlite3.Error:
        pass


def _step(name: str) -> None:
    """A boundary between a run's steps. The crash tests stop the process at the one named by
    XREF_STOP_AT (SIGSTOP: they then kill it there)."""
    if os.environ.get("XREF_STOP_AT") == name:
        os.kill(os.getpid(), signal.SIGSTOP)


def semantic_prerequisites(tree: Tree) -> tuple[str, list[str]]:
    """What kind of tree this is for the semantic pass (kernel, glibc, compile_commands, or ""
    when it has no units to find) and the Debian packages missing to configure it here."""
    from indexer import glibcbuild, kconfig, semantic

    if (tree.root / "compile_commands.json").is_file():
        return "compile_commands", []
    if semantic.is_kernel_tree(tree.root):
        return "kernel", kconfig.missing_packages() if kconfig.has_kbuild(tree.root) else []
    if glibcbuild.is_glibc_tree(tree.root):
        return "glibc", glibcbuild.missing_packages() if (tree.root / "configure").is_file() else []
    return "", []


def _built(conn: sqlite3.Connection, trees: list[Tree], request: BuildRequest) -> None:
    """Each kernel tree's built .c files: kbuild's Makefiles evaluated with its configuration
    (`kconfig.configuration`), read again on every run (half a second for Linux)."""
    from indexer import kbuild, kconfig, semantic
    from xref.conditions import read_config

    for tree in trees:
        if not semantic.is_kernel_tree(tree.root):
            continue
        tree_id = conn.execute("SELECT id FROM trees WHERE name = ?", (tree.name,)).fetchone()[0]
        build = request.build if request.build and len(trees) == 1 else \
            semantic.default_build_dir(tree.name, request.arch, request.config)
        try:
            config = kconfig.configuration(tree.root, build, request.arch, request.config, request.log)
        except kconfig.KconfigError as err:
            request.log(f"what {tree.name} builds is not known ({err}); every file is taken as built")
            config = None
        files = dict(conn.execute("SELECT path, id FROM files WHERE tree_id = ?", (tree_id,)))
        conn.execute("DELETE FROM built WHERE file_id IN (SELECT id FROM files WHERE tree_id = ?)", (tree_id,))
        conn.execute("DELETE FROM modular WHERE file_id IN (SELECT id FROM files WHERE tree_id = ?)", (tree_id,))
        conn.execute("DELETE FROM meta WHERE key = ?", (f"built_config:{tree_id}",))
        if config is not None:
            objects = kbuild.objects(tree.root, read_config(config), request.arch)
            sources = {obj.source for obj in objects}
            built = _with_included_sources(conn, {files[s] for s in sources if s in files}, files)
            builtin = _with_included_sources(conn, {files[o.source] for o in objects
                                                    if not o.module and o.source in files}, files)
            conn.executemany("INSERT OR IGNORE INTO built VALUES (?)", [(file_id,) for file_id in built])
            conn.executemany("INSERT OR IGNORE INTO modular VALUES (?)", [(f,) for f in built - builtin])
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                (f"built_config:{tree_id}", str(config)), (f"built_arch:{tree_id}", request.arch)])


def _with_included_sources(conn: sqlite3.Connection, built: set[int], files: dict[str, int]) -> set[int]:
    """`built` and the .c files they #include, which are built with them (kernel/sched/
    build_utility.c includes "clock.c", "wait.c", ...), found a level at a time."""
    paths = {file_id: path for path, file_id in files.items()}
    found, level = set(built), set(built)
    while level:
        marks = ",".join("?" * len(level))
        included = set()
        for file_id, target in conn.execute(
                f"SELECT file_id, target FROM includes WHERE system = 0 AND target LIKE '%.c' AND file_id IN ({marks})",
                sorted(level)):
            path = os.path.normpath(os.path.join(os.path.dirname(paths[file_id]), target))
            if path in files and files[path] not in found:
                included.add(files[path])
        found |= included
        level = included
    return found


def _glibc_orders(conn: sqlite3.Connection, trees: list[Tree]) -> None:
    """Each glibc tree's sysdeps search order per target, what the queries rank its headers and
    wrappers by: configure's (config.make) where a build directory has one, else the Implies
    expansion; a target whose order cannot be known gets none."""
    from indexer import glibcbuild, semantic

    for tree in trees:
        if not glibcbuild.is_glibc_tree(tree.root):
            continue
        tree_id = conn.execute("SELECT id FROM trees WHERE name = ?", (tree.name,)).fetchone()[0]
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (f"build:{tree_id}",)).fetchone()
        configured = conn.execute("SELECT value FROM meta WHERE key = ?", (f"arch:{tree_id}",)).fetchone()
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, 'glibc')", (f"kind:{tree_id}",))
        for arch in glibcbuild.TARGETS:
            build = Path(row[0]) if row and configured and configured[0] == arch else \
                semantic.default_build_dir(tree.name, arch)
            try:
                order = glibcbuild.sysdirs(tree.root, build if build.is_dir() else None, arch)
            except (glibcbuild.GlibcError, OSError):
                continue
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"sysdirs:{tree_id}:{arch}", json.dumps(order)))


def _semantic(conn: sqlite3.Connection, trees: list[Tree], jobs: int, request: SemanticRequest,
              progress: Callable[[int, int], None] | None, cache: Path) -> tuple[list, set[str]]:
    """The libclang pass over every configured tree; returns its summaries and the names it added.
    A tree that cannot be configured here is reported and skipped: the others keep their pass.
    Each unit's outcome is kept in `cache` as it comes, so that a killed run resumes from there."""
    from indexer import glibcbuild, kconfig, semantic

    summaries = []
    for tree in trees:
        if request.trees is not None and tree.name not in request.trees:
            continue
        try:
            summary = _semantic_tree(conn, tree, len(trees), jobs, request, progress, cache)
        except (kconfig.KconfigError, glibcbuild.GlibcError, semantic.NotConfigured) as err:
            request.log(f"semantic pass skipped for {tree.name}: {err}")
            continue
        if summary is not None:
            summaries.append(summary)
    cache.unlink(missing_ok=True)  # every unit's facts are in the index now
    # Names only a macro expansion defines (the parser's names are in the search index already).
    names = set().union(*(s.names for s in summaries))
    only_clang = {name for name in names if conn.execute(
        "SELECT 1 FROM defs WHERE name = ? AND source = 'ts' LIMIT 1", (name,)).fetchone() is None}
    return summaries, only_clang


def _semantic_tree(conn: sqlite3.Connection, tree: Tree, tree_count: int, jobs: int, request: SemanticRequest,
                   progress: Callable[[int, int], None] | None, cache: Path) -> semantic_mod.SemanticSummary:
    """One tree's semantic pass (in the run's transaction)."""
    from indexer import glibcbuild, kconfig, semantic

    tree_id = conn.execute("SELECT id FROM trees WHERE name = ?", (tree.name,)).fetchone()[0]
    files = dict(conn.execute("SELECT path, id FROM files WHERE tree_id = ?", (tree_id,)))
    build = request.build if request.build and tree_count == 1 else None
    if semantic.is_kernel_tree(tree.root):
        build = build or semantic.default_build_dir(tree.name, request.arch, request.config)
        if not (build / ".config").is_file() or not (build / "xref-flags.json").is_file():
            request.log(f"configuring {tree.name} for {request.arch} in {build}")
            kconfig.prepare(tree.root, build, request.arch, request.config, log=request.log)
    elif glibcbuild.is_glibc_tree(tree.root):
        build = build or semantic.default_build_dir(tree.name, request.arch)
        glibcbuild.prepare(tree.root, build, request.arch, log=request.log)
    if build is not None and (build / ".config").is_file():
        # What the macro stage and `xref expand` evaluate #if conditions with from now on.
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         [(f"config:{tree_id}", str(build / ".config")), (f"arch:{tree_id}", request.arch)])
    elif build is not None:
        # A glibc build: where its sysdeps order (config.make) is, and for which target.
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         [(f"build:{tree_id}", str(build)), (f"arch:{tree_id}", request.arch)])
    # Which files a missing unit means "not compiled" for (`--only`: .c files under those paths).
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"semantic_only:{tree_id}",
                                                              json.dumps(request.only or [])))
    units = semantic.units_for(tree.root, files, build, request.arch, request.only, request.glibc_tests)
    summary = semantic.run(conn, units, jobs, set(files.values()), progress, cache, request.timeout)
    if semantic.is_kernel_tree(tree.root) and kconfig.has_kbuild(tree.root):
        _generated_headers(conn, tree, build, units, summary, jobs, request, progress, cache)
    return summary


def _generated_headers(conn: sqlite3.Connection, tree: Tree, build: Path, units: list, summary, jobs: int,
                       request: SemanticRequest, progress, cache: Path) -> None:
    """Units that failed for a header kbuild generates when it makes their object (selinux's
    flask.h, arch/x86/lib's inat-tables.c): kbuild makes those objects, and they are parsed again."""
    from indexer import kconfig, semantic

    missing = {path for path, why in summary.failed if "file not found" in why}
    again = [unit for unit in units if unit.path in missing]
    if not again:
        return
    objects = [str(Path(unit.path).relative_to(tree.root).with_suffix(".o")) for unit in again]
    request.log(f"{len(again)} units include headers kbuild generates: make {' '.join(objects[:3])}"
                + (" ..." if len(objects) > 3 else ""))
    why = kconfig.make_objects(tree.root, build, request.arch, objects)
    if why:
        request.log(f"make stopped: {why}")
    retried = semantic.run(conn, again, jobs, {unit.file_id for unit in again}, progress, cache, request.timeout,
                           again=True)
    summary.failed = [(path, why) for path, why in summary.failed if path not in missing] + retried.failed
    summary.seconds += retried.seconds


def _macro_stage(conn: sqlite3.Connection, summary: Summary, fresh: bool) -> set[str]:
    """Definitions made by macro invocations, derived again over the whole index; returns the names
    the parser does not define too."""
    from indexer import macrodefs

    started = time.monotonic()
    # A header's macros reach every file; a .c file's invocations only define names there.
    only = None if fresh or summary.headers_changed else summary.written
    removed, added, names = macrodefs.derive(conn, only)
    summary.definitions = _count(conn, "definitions", added - removed)
    if only is None:
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('macro_definitions', '0')")
        summary.macro_definitions = _count(conn, "macro_definitions", added)
    else:
        summary.macro_definitions = _count(conn, "macro_definitions", added - removed - summary.macro_removed)
    summary.macro_seconds = time.monotonic() - started
    return {name for name in names if conn.execute(
        "SELECT 1 FROM defs WHERE name = ? AND source = 'ts' LIMIT 1", (name,)).fetchone() is None}


def _list_users(conn: sqlite3.Connection, tasks: list[tuple[Candidate, str, int]],
                roots: dict[int, Path]) -> list[tuple[Candidate, str, int]]:
    """Files that expand a changed header as an X-macro list: parsed again, unchanged or not."""
    changed = {(task[0][0], task[0][1]) for task in tasks}
    users: set[tuple[int, int, str]] = set()
    for tree_id, header in changed:
        if header.endswith(".h"):
            users.update(conn.execute("SELECT f.id, f.tree_id, f.path FROM xlists x JOIN files f ON f.id = x.file_id "
                                      "WHERE x.header = ? AND f.tree_id = ?", (header, tree_id)))
    found = []
    for file_id, tree_id, rel in sorted(users):
        full = on_disk(roots[tree_id] / rel)
        if (tree_id, rel) in changed or not full.is_file():
            continue
        st = full.stat()
        found.append(((tree_id, rel, str(full), st.st_size, st.st_mtime_ns), "", file_id))
    return found


def _index_into(conn: sqlite3.Connection, trees: list[Tree], jobs: int,
                progress: Callable[[int, int], None] | None, fresh: bool, gen: Path):
    """Write the facts of every changed file.

    Returns the summary, the defined names a re-index touched, and, for a fresh build, the
    process writing the search index (started as soon as every name is known).
    """
    summary = Summary()
    touched: set[str] = set()
    tree_ids: dict[str, int] = {}
    for tree in trees:
        conn.execute("INSERT INTO trees(name, root) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET root=excluded.root",
                     (tree.name, str(tree.root)))
        tree_ids[tree.name] = conn.execute("SELECT id FROM trees WHERE name = ?", (tree.name,)).fetchone()[0]
    known = {(t, p): (i, h, s, m) for i, t, p, h, s, m in
             conn.execute("SELECT id, tree_id, path, hash, size, mtime FROM files")}
    marks = ",".join("?" * len(tree_ids))
    conn.execute(f"DELETE FROM skipped WHERE tree_id IN ({marks})", list(tree_ids.values()))

    tasks: list[tuple[Candidate, str, int]] = []
    seen: set[tuple[int, str]] = set()
    next_id = (conn.execute("SELECT max(id) FROM files").fetchone()[0] or 0) + 1
    for tree in trees:
        for cand in discover(tree_ids[tree.name], tree.root, summary.skipped):
            key = (cand[0], cand[1])
            seen.add(key)
            old = known.get(key)
            if old is not None and old[2] == cand[3] and old[3] == cand[4]:
                summary.unchanged += 1
                continue
            if old is None:
                file_id, next_id = next_id, next_id + 1
            else:
                file_id = old[0]
            tasks.append((cand, old[1] if old else "", file_id))
    summary.files = len(seen)
    if not fresh:
        tasks += _list_users(conn, tasks, {tree_ids[tree.name]: tree.root for tree in trees})

    gone_keys = [key for key in known if key not in seen and key[0] in tree_ids.values()]
    gone = [known[key][0] for key in gone_keys]
    summary.headers_changed = any(rel.endswith(".h") for _, rel in gone_keys)
    defs_delta = refs_delta = 0
    if gone:
        ndefs, nrefs, nmacro = _fact_counts(conn, gone)
        summary.macro_removed += nmacro
        defs_delta, refs_delta = -ndefs, -nrefs
        delete_facts(conn, gone)
        conn.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in gone])
        summary.removed = len(gone)

    done = 0
    written: list[int] = []
    pool = None
    try:
        if jobs > 1 and len(tasks) > 1:
            with interrupts_held():
                pool = get_context("fork").Pool(jobs, initializer=init_worker)
        results = (pool.imap_unordered(extract_file, tasks, chunksize=8) if pool
                   else map(extract_file, tasks))
        for file_id, tree_id, rel, size, mtime, digest, lang, rows, reason, errors in results:
            done += 1
            if progress:
                progress(done, len(tasks))
            old = known.get((tree_id, rel))
            if reason == "unchanged":
                conn.execute("UPDATE files SET mtime = ?, size = ? WHERE id = ?", (mtime, size, old[0]))
                summary.unchanged += 1
                continue
            if old is not None and not fresh:
                ndefs, nrefs, nmacro = _fact_counts(conn, [old[0]])
                summary.macro_removed += nmacro
                defs_delta, refs_delta = defs_delta - ndefs, refs_delta - nrefs
                delete_facts(conn, [old[0]])
            if rows is None:
                summary.skipped.append((rel, reason))
                conn.execute("INSERT INTO skipped VALUES (?,?,?)", (tree_id, rel, reason))
                if old is not None:
                    conn.execute("DELETE FROM files WHERE id = ?", (old[0],))
                continue
            conn.execute(
                "INSERT INTO files(id, tree_id, path, hash, size, mtime, lang, errors) VALUES (?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET hash=excluded.hash, size=excluded.size, mtime=excluded.mtime, "
                "lang=excluded.lang, errors=excluded.errors",
                (file_id, tree_id, rel, digest, size, mtime, lang, errors))
            written.append(file_id)
            summary.headers_changed = summary.headers_changed or rel.endswith(".h")
            write_rows(conn, rows)
            touched.update(row[0] for row in rows[0])
            defs_delta += len(rows[0])
            refs_delta += sum(row[2].count(",") + 1 for row in rows[2])
            summary.parsed += 1
    except BaseException:
        if pool:
            pool.terminate()
        raise
    finally:
        if pool:
            pool.close()
    if not fresh and touched:
        # Whoosh already holds every name defined before this run (a name no longer defined is
        # dropped at query time, when its hit is checked against the facts): add only new ones.
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS run_names(name TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM run_names")
        conn.executemany("INSERT OR IGNORE INTO run_names VALUES (?)", [(n,) for n in touched])
        marks = ",".join("?" * len(written)) or "NULL"
        touched = {row[0] for row in conn.execute(
            "SELECT name FROM run_names r WHERE NOT EXISTS (SELECT 1 FROM defs d WHERE d.name = r.name "
            f"AND d.file_id NOT IN ({marks}))", written)}
    searcher = None
    if fresh:
        # The parsing is over, so the second core is free: write the search index from the
        # names seen while SQLite builds its own indexes.
        # Spawned, not forked, and handed a file: a fork would count this process's memory twice.
        names_file = gen / "names.tmp"
        with open(names_file, "w", encoding="utf-8") as listed:
            listed.writelines(name + "\n" for name in touched)
        touched = set()
        searcher = get_context("spawn").Process(target=_build_search, args=(gen, names_file), daemon=True)
        with interrupts_held():
            searcher.start()
    # What _finish looks names up with; the other indexes after it, so that its updates and the
    # two million arguments it drops on the kernel touch no index.
    store.create_indexes(conn, ["defs_name"])
    summary.written = written
    _finish(conn, None if fresh else written)
    store.create_indexes(conn)
    summary.definitions = _count(conn, "definitions", defs_delta)
    summary.references = _count(conn, "reference_lines", refs_delta)
    return summary, touched, searcher


def _build_search(gen: Path, names_file: Path) -> None:
    init_worker()  # Ctrl-C is the parent's to handle; it stops this process too
    with open(names_file, encoding="utf-8") as names:
        search.build_from_names(gen, (line.rstrip("\n") for line in names))
    names_file.unlink()


def _count(conn: sqlite3.Connection, key: str, delta: int) -> int:
    """A running total kept in meta, so no run has to scan the whole index to report it."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    total = (int(row[0]) if row else 0) + delta
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(total)))
    return total


def _fact_counts(conn: sqlite3.Connection, file_ids: list[int]) -> tuple[int, int, int]:
    """(definitions, reference lines, definitions by macros) that these files hold now (the
    semantic pass's definitions are not in the running totals)."""
    marks = ",".join("?" * len(file_ids))
    defs, by_macros = conn.execute(f"SELECT count(*), coalesce(sum(source = 'macro'), 0) FROM defs "
                                   f"WHERE file_id IN ({marks}) AND source != 'clang'", file_ids).fetchone()
    refs = conn.execute(f"SELECT coalesce(sum(length(lines) - length(replace(lines, ',', '')) + 1), 0) "
                        f"FROM refs WHERE file_id IN ({marks})", file_ids).fetchone()[0]
    return defs, refs, by_macros


def _finish(conn: sqlite3.Connection, written: list[int] | None) -> None:
    """Whole-index steps over the files written (None: all): name structs, keep function arguments."""
    scope = ""
    if written is not None:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS written(id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM written")
        conn.executemany("INSERT INTO written VALUES (?)", [(i,) for i in written])
        scope = "AND file_id IN (SELECT id FROM written)"
    resolver = store.StructResolver(conn)
    resolver.resolve_table("regs", scope)
    resolver.resolve_table("calls", scope)
    resolver.resolve_table("regs", scope, column="context", how="copy")
    _sole_owners(conn, scope)
    # A field copied into is worth keeping only if some code calls through it (one scan of the
    # calls: on a fresh build their indexes come later).
    if conn.execute(f"SELECT 1 FROM regs WHERE how = 'copy' {scope} LIMIT 1").fetchone():
        conn.execute("DROP TABLE IF EXISTS temp.called")
        conn.execute("CREATE TEMP TABLE called(struct TEXT, field TEXT, PRIMARY KEY(struct, field)) WITHOUT ROWID")
        conn.execute("INSERT OR IGNORE INTO called SELECT struct, callee FROM calls WHERE how = 'field' "
                     "AND struct != ''")
        conn.execute(f"DELETE FROM regs WHERE how = 'copy' {scope} AND (struct, field) NOT IN "
                     "(SELECT struct, field FROM called)")
        conn.execute("DROP TABLE temp.called")
    # An identifier passed to a call is a registration only if it names a function.
    if written is None:
        conn.execute("DELETE FROM regs WHERE how = 'argument' AND func NOT IN "
                     "(SELECT name FROM defs WHERE kind IN ('function', 'prototype', 'label'))")
    else:
        conn.execute("DELETE FROM regs WHERE file_id IN (SELECT id FROM written) AND how = 'argument' "
                     "AND NOT EXISTS (SELECT 1 FROM defs d WHERE d.name = regs.func "
                     "AND d.kind IN ('function', 'prototype', 'label'))")


def _sole_owners(conn: sqlite3.Connection, scope: str) -> None:
    """A call or registration through a field whose struct the syntax could not name (a macro
    makes the variable, `DEFINE_SCHED_CLASS(fair) = { .yield_task = ... }`; a macro is the base,
    `current->sched_class->yield_task(rq)`) gets the one struct or union with a member of that
    name, where there is exactly one."""
    conn.execute("DROP TABLE IF EXISTS temp.known")
    conn.execute("CREATE TEMP TABLE known(name TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("INSERT OR IGNORE INTO known SELECT name FROM defs WHERE kind IN ('struct', 'union')")
    unknown = {"regs": f"how IN ('initializer', 'assignment') AND struct NOT IN (SELECT name FROM known) {scope}",
               "calls": f"how = 'field' AND struct NOT IN (SELECT name FROM known) {scope}"}
    if any(conn.execute(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1").fetchone() for table, where in unknown.items()):
        _owner_of_all_fields(conn, unknown["regs"])
        conn.execute("DROP TABLE IF EXISTS temp.sole")
        conn.execute("CREATE TEMP TABLE sole(field TEXT PRIMARY KEY, owner TEXT) WITHOUT ROWID")
        conn.execute("INSERT INTO sole SELECT name, min(scope) FROM defs WHERE kind = 'member' AND scope != '' "
                     "GROUP BY name HAVING count(DISTINCT scope) = 1")
        for table, where in unknown.items():
            column = "field" if table == "regs" else "callee"
            conn.execute(f"UPDATE {table} SET struct = (SELECT owner FROM sole WHERE sole.field = {table}.{column}) "
                         f"WHERE {where} AND {column} IN (SELECT field FROM sole)")
        conn.execute("DROP TABLE temp.sole")
    conn.execute("DROP TABLE temp.known")


def _owner_of_all_fields(conn: sqlite3.Connection, where: str) -> None:
    """An initializer whose struct the syntax could not name gets the one struct or union with
    every member it sets: `DEFINE_SCHED_CLASS(fair) = { .enqueue_task = ..., .balance = ... }` is a
    sched_class, though many structs have a `balance`."""
    groups: dict[tuple, list[str]] = {}
    for file_id, context, struct, field_name in conn.execute(
            f"SELECT file_id, context, struct, field FROM regs WHERE {where} AND how = 'initializer'"):
        groups.setdefault((file_id, context, struct), []).append(field_name)
    owners_of: dict[str, set[str]] = {}
    for (file_id, context, struct), fields in groups.items():
        owners = None
        for name in set(fields):
            if name not in owners_of:
                owners_of[name] = {scope for (scope,) in conn.execute(
                    "SELECT DISTINCT scope FROM defs WHERE name = ? AND kind = 'member' AND scope != ''", (name,))}
            owners = owners_of[name] if owners is None else owners & owners_of[name]
        if owners is not None and len(owners) == 1:
            conn.execute("UPDATE regs SET struct = ? WHERE file_id = ? AND context = ? AND struct = ? "
                         "AND how = 'initializer'", (owners.pop(), file_id, context, struct))


def tree_from_arg(arg: str) -> Tree:
    """SRC or NAME=SRC; the name defaults to the directory's name."""
    name, sep, path = arg.partition("=")
    if not sep:
        name, path = "", arg
    root = Path(path).resolve()
    return Tree(name or root.name, root)

