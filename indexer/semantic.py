"""The semantic pass: which translation units a configuration compiles, with which flags, parsed by libclang.

Stages: `units` (compile_commands.json, or a kernel configuration read through kbuild),
`plan` (skip units whose flags and every file they read are unchanged), `extract_unit` (one
TU in a worker), `write_unit` (its facts replace the unit's earlier clang facts), then
`finish` (files compiled and regions inactive under the configuration).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

from indexer import glibcbuild, kbuild
from indexer.workers import init_worker, interrupts_held
from xref import store
from xref.conditions import kernel_srcarch, read_config
from xref.macros import define_text, file_lines
from xref.sourcefiles import read_regular

# Options kbuild gives gcc that clang does not accept; libclang refuses a command line with any.
GCC_ONLY = {
    "-fconserve-stack", "-fno-var-tracking-assignments", "-mrecord-mcount", "-fno-allow-store-data-races",
    "-mskip-rax-setup", "-fmin-function-alignment=16", "-mindirect-branch-register",
    "-fno-ipa-sra", "-fzero-call-used-regs=used-gpr", "-mno-fp-ret-in-387", "-fsanitize=bounds-strict",
    "-Wno-maybe-uninitialized", "-Wno-alloc-size-larger-than", "-Wimplicit-fallthrough=5",
    "-Wno-stringop-overflow", "-Wno-restrict", "-Wno-packed-not-aligned", "-Wno-format-overflow",
    "-Wno-format-truncation", "-Wno-stringop-truncation", "-Wno-array-bounds", "-Wno-dangling-pointer",
    "-Wno-unused-but-set-variable", "-Wno-unused-const-variable", "-fno-stack-clash-protection",
    "-Werror=designated-init", "-Wno-missing-field-initializers", "-fno-inline-functions-called-once",
}
GCC_ONLY_PREFIXES = ("-mpreferred-stack-boundary=", "-mindirect-branch=", "-mfunction-return=",
                     "-falign-jumps=", "-falign-loops=", "-mharden-sls=", "-fpatchable-function-entry=",
                     "--param", "-Wp,-MMD", "-Wp,-MD", "-fplugin", "-Wframe-larger-than")


@dataclass
class Unit:
    """One translation unit to parse: its main file and the compiler arguments."""

    file_id: int
    path: str  # absolute path of the main file
    args: list[str]
    config: str  # what the flags came from, e.g. "kbuild x86_64 (BUILD/.config)"


@dataclass
class Outcome:
    """A worker's answer for one unit: the rows to store, or why there are none."""

    file_id: int
    key: str
    deps: list[str]
    status: str  # ok | errors | failed
    message: str = ""
    defs: list[tuple] = field(default_factory=list)
    calls: list[tuple] = field(default_factory=list)
    regs: list[tuple] = field(default_factory=list)
    skipped: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # Rows for functions defined in headers, by the header's file id (first unit to claim it wins).
    headers: dict[int, tuple[list[tuple], list[tuple], list[tuple]]] = field(default_factory=dict)


@dataclass
class SemanticSummary:
    units: int = 0
    parsed: int = 0
    cached: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    resumed: int = 0  # outcomes a killed run had kept (see `run`'s cache)
    seconds: float = 0.0
    names: set[str] = field(default_factory=set)  # the names this run defined

    def line(self) -> str:
        resumed = f", {self.resumed} kept from an interrupted run" if self.resumed else ""
        return (f"semantic pass: {self.units} translation units ({self.parsed} parsed{resumed}, {self.cached} "
                f"unchanged, {len(self.failed)} with fatal errors or over the time limit), {self.seconds:.1f} s")


class NotConfigured(Exception):
    """The tree has no compile_commands.json and no kernel configuration to derive flags from."""


# -- the units of a tree --------------------------------------------------------------


def default_build_dir(tree_name: str, arch: str, config: Path | None = None) -> Path:
    """Where a tree's configuration is built for `arch`: one directory per .config given (by its
    content), beside the default configuration's."""
    cache = Path(os.environ.get("XREF_CACHE") or Path.home() / ".cache" / "xref")
    suffix = f"-{hashlib.blake2b(config.read_bytes(), digest_size=4).hexdigest()}" if config is not None else ""
    return cache / "build" / f"{tree_name}-{arch}{suffix}"


def is_kernel_tree(root: Path) -> bool:
    return (root / "Kconfig").is_file() and (root / "arch").is_dir() and (root / "include" / "linux").is_dir()


def units_for(root: Path, files: dict[str, int], build: Path | None, arch: str,
              only: list[str] | None = None, glibc_tests: bool = False) -> list[Unit]:
    """The translation units of one tree; `files` maps tree-relative paths to file ids."""
    for candidate in filter(None, [root / "compile_commands.json", build and build / "compile_commands.json"]):
        if candidate.is_file():
            return _from_compile_commands(root, candidate, files, only)
    if is_kernel_tree(root):
        if build is None or not (build / ".config").is_file():
            raise NotConfigured(f"{root} has no configuration; run `xref kconfig {root} --arch {arch}` first.")
        return _kernel_units(root, build, arch, files, only)
    if glibcbuild.is_glibc_tree(root):
        return _glibc_units(root, build, arch, files, only, glibc_tests)
    raise NotConfigured(f"no compile_commands.json in {root} and it is not a kernel tree; "
                        "give the flags with a compile_commands.json.")


def _from_compile_commands(root: Path, path: Path, files: dict[str, int], only: list[str] | None) -> list[Unit]:
    units = []
    for entry in json.loads(path.read_text()):
        directory = Path(entry.get("directory", root))
        source = (directory / entry["file"]).resolve()
        try:
            rel = str(source.relative_to(root))
        except ValueError:
            continue
        if rel not in files or (only and not _under(rel, only)):
            continue
        args = entry.get("arguments") or shlex.split(entry["command"])
        units.append(Unit(files[rel], str(source), with_compiler_headers(_clang_args(args[1:], directory, source)),
                          str(path)))
    return units


def _under(rel: str, prefixes: list[str]) -> bool:
    return any(rel == p.rstrip("/") or rel.startswith(p.rstrip("/") + "/") for p in prefixes)


def _clang_args(args: list[str], directory: Path, source: Path) -> list[str]:
    """A compiler command's arguments as libclang wants them: no output, no source, no gcc-only options."""
    out: list[str] = []
    skip_next = False
    for i, arg in enumerate(args):
        if skip_next:
            skip_next = False
            continue
        if arg in ("-c", "-S", "-E"):
            continue
        if arg in ("-o", "-MF", "-MT", "-MQ"):
            skip_next = True
            continue
        if arg in GCC_ONLY or arg.startswith(GCC_ONLY_PREFIXES) or arg.startswith(("-MD", "-MMD")):
            if arg == "--param":
                skip_next = True
            continue
        if not arg.startswith("-") and (directory / arg).resolve() == source:
            continue
        if arg.startswith("-I") and len(arg) > 2 and not arg[2:].startswith("/"):
            arg = "-I" + str((directory / arg[2:]).resolve())
        elif arg in ("-I", "-include", "-isystem", "-iquote") and i + 1 < len(args):
            out.append(arg)
            nxt = args[i + 1]
            out.append(nxt if nxt.startswith("/") else str((directory / nxt).resolve()))
            skip_next = True
            continue
        out.append(arg)
    return out


@lru_cache(maxsize=1)
def compiler_include_dir() -> str:
    """The C compiler's own headers (stddef.h, stdarg.h): pip's libclang ships none of its own."""
    import shutil
    import subprocess

    for compiler in ("gcc", "cc", "clang"):
        if shutil.which(compiler):
            out = subprocess.run([compiler, "-print-file-name=include"], capture_output=True, text=True).stdout
            if out.strip().startswith("/") and os.path.isdir(out.strip()):
                return out.strip()
    return ""


def with_compiler_headers(args: list[str]) -> list[str]:
    if "-nostdinc" in args or not compiler_include_dir():
        return args
    return args + ["-isystem", compiler_include_dir()]


def clang_compatible(args: list[str]) -> list[str]:
    """Drop the options libclang rejects (gcc-only ones), found by letting it parse an empty file."""
    import tempfile

    from clang import cindex

    args = [a for a in args if a not in GCC_ONLY and not a.startswith(GCC_ONLY_PREFIXES)]
    with tempfile.NamedTemporaryFile(suffix=".c") as empty:
        for _ in range(20):
            try:
                tu = cindex.Index.create().parse(empty.name, args)
            except cindex.TranslationUnitLoadError:
                return args
            rejected = set()
            for diag in tu.diagnostics:
                text = diag.spelling
                if "unknown argument" in text or "unsupported option" in text or "unknown target" in text:
                    rejected.update(a for a in args if f"'{a}'" in text or f"'{a.split('=')[0]}" in text)
            if not rejected:
                return args
            args = [a for a in args if a not in rejected]
    return args


def kernel_base_flags(root: Path, build: Path, arch: str) -> list[str]:
    """The flags every object gets: kbuild's own when `xref kconfig` recorded them, else the layout's."""
    recorded = build / "xref-flags.json"
    if recorded.is_file():
        return json.loads(recorded.read_text())["base"]
    srcarch = kernel_srcarch(arch)
    dirs = [root / "arch" / srcarch / "include", build / "arch" / srcarch / "include" / "generated",
            root / "arch" / srcarch / "include" / "generated", root / "include", build / "include",
            root / "arch" / srcarch / "include" / "uapi", build / "arch" / srcarch / "include" / "generated" / "uapi",
            root / "include" / "uapi", build / "include" / "generated" / "uapi"]
    flags = ["-nostdinc", "-D__KERNEL__", "-std=gnu11", "-fno-strict-aliasing", "-fno-common"]
    flags += [f"-I{d}" for d in dirs if d.is_dir()]
    for header in (build / "include" / "generated" / "autoconf.h", root / "include" / "linux" / "kconfig.h",
                   root / "include" / "linux" / "compiler_types.h"):
        if header.is_file():
            flags += ["-include", str(header)]
            if header.name == "autoconf.h" and (root / "include" / "linux" / "kconfig.h").is_file():
                break  # kconfig.h includes autoconf.h itself
    if arch == "x86_64":
        flags += ["-m64", "-mcmodel=kernel", "-mno-red-zone", "-O2"]
    elif arch == "i386":
        flags += ["-m32", "-O2"]
    return flags


def _kernel_units(root: Path, build: Path, arch: str, files: dict[str, int], only: list[str] | None) -> list[Unit]:
    config = read_config(build / ".config")
    base = kernel_base_flags(root, build, arch)
    units = []
    for obj in kbuild.objects(root, config, arch):
        if obj.source not in files or (only and not _under(obj.source, only)):
            continue
        stem = obj.source[:-2]
        basename = stem.rsplit("/", 1)[-1]
        directory = os.path.dirname(obj.source)
        args = base + [f"-I{root / directory}", f"-I{build / directory}"]
        args += _absolute_includes(obj.flags, root)
        args += [f'-DKBUILD_MODFILE="{stem}"', f'-DKBUILD_BASENAME="{basename}"',
                 f'-DKBUILD_MODNAME="{obj.modname}"', f"-D__KBUILD_MODNAME=kmod_{obj.modname}"]
        if obj.module:
            args.append("-DMODULE")
        units.append(Unit(files[obj.source], str(root / obj.source), args,
                          f"kbuild {arch} ({build / '.config'})"))
    return units


def _glibc_units(root: Path, build: Path | None, arch: str, files: dict[str, int],
                 only: list[str] | None, tests: bool = False) -> list[Unit]:
    try:
        order = glibcbuild.sysdirs(root, build, arch)
    except glibcbuild.GlibcError as err:
        raise NotConfigured(str(err)) from None
    config = f"glibc {glibcbuild.target_of(arch)} ({build or 'Makeconfig'})"
    units = []
    for rel in glibcbuild.sources(root, build, arch, list(files), tests):
        if only and not _under(rel, only):
            continue
        args = with_compiler_headers(glibcbuild.flags(root, build, arch, rel, order))
        units.append(Unit(files[rel], str(root / rel), args, config))
    return units


def _absolute_includes(flags: list[str], root: Path) -> list[str]:
    """kbuild's `-I$(src)`/`-I dir` flags are relative to the tree's top."""
    out: list[str] = []
    joined = False
    for flag in flags:
        if joined and not flag.startswith(("-", "/")):
            out.append(str((root / flag).resolve()))
        elif flag.startswith("-I") and len(flag) > 2 and not flag[2:].startswith("/"):
            out.append("-I" + str((root / flag[2:]).resolve()))
        else:
            out.append(flag)
        joined = flag in ("-I", "-include", "-isystem", "-iquote")
    return out


# -- one unit, in a worker -------------------------------------------------------------

_hashes: dict[tuple[str, int, int], str] = {}


def content_hash(path: str) -> str:
    """blake2b of a file's bytes, remembered per (path, size, mtime) for the life of the process."""
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    key = (path, st.st_size, st.st_mtime_ns)
    digest = _hashes.get(key)
    if digest is None:
        try:
            digest = hashlib.blake2b(read_regular(path), digest_size=16).hexdigest()
        except OSError:
            return "missing"
        _hashes[key] = digest
    return digest


# Part of every unit's cache key: bump it when what the pass extracts changes.
EXTRACTOR_VERSION = "10"


def unit_key(args: list[str], deps: list[str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(EXTRACTOR_VERSION.encode() + b"\0" + "\0".join(args).encode())
    for dep in deps:
        h.update(b"\0" + dep.encode() + b"=" + content_hash(dep).encode())
    return h.hexdigest()


def extract_unit(unit: Unit) -> Outcome:
    from clang.cindex import TranslationUnitLoadError

    from indexer import clangpass

    try:
        facts = clangpass.extract(unit.path, unit.args)
    except TranslationUnitLoadError as err:
        return Outcome(unit.file_id, "", [unit.path], "failed", f"libclang could not parse it ({err})")
    deps = facts.headers
    status = "failed" if facts.fatal else ("errors" if facts.errors else "ok")
    message = "; ".join(facts.errors[:3])
    outcome = Outcome(unit.file_id, unit_key(unit.args, deps), deps, status, message, *_rows(unit.file_id, facts),
                      skipped=facts.skipped)
    for header, header_facts in facts.in_headers.items():
        header_id = _FILE_IDS.get(os.path.normpath(header))
        if header_id is not None:
            outcome.headers[header_id] = _rows(header_id, header_facts)
    return outcome


# Absolute path -> file id of every indexed file, set before the workers fork.
_FILE_IDS: dict[str, int] = {}


def _rows(fid: int, facts) -> tuple[list[tuple], list[tuple], list[tuple]]:
    defs = [(d.name, fid, d.line, d.end_line, d.kind, "", d.typeref, d.signature, "clang", macro)
            for d, macro in zip(facts.definitions, facts.macros, strict=True)]
    calls = [(c.caller, c.callee, fid, c.line, c.how, c.struct, c.via, "clang") for c in facts.calls]
    regs = [(r.struct, r.field, r.function, fid, r.line, r.how, r.callee, r.argpos, r.context, "clang")
            for r in facts.registrations]
    return defs, calls, regs


# -- the pass -----------------------------------------------------------------------------


# A unit libclang has not parsed in this long is given up (recorded as failed, with the reason):
# one of glibc's tests, a 131,072-piece format string, held a worker for over 12 minutes.
UNIT_TIMEOUT = 120.0


def run(conn: sqlite3.Connection, units: list[Unit], jobs: int, tree_files: set[int],
        progress: Callable[..., None] | None = None, cache: Path | None = None,
        timeout: float = UNIT_TIMEOUT, again: bool = False) -> SemanticSummary:
    """Parse the units whose key changed and store their facts; `conn` is inside a transaction.
    `again`: parse every unit given, whatever was stored or kept for it (a file it failed to
    find has been made since).

    `tree_files`: the file ids of the tree the units belong to (its other units are dropped).
    `cache`: a file where each unit's outcome is kept as soon as it is parsed, so that a run
    killed before its transaction commits resumes from the units already parsed.
    """
    started = time.monotonic()
    summary = SemanticSummary(units=len(units))
    stored = {file_id: (key, args, deps) for file_id, key, args, deps in
              conn.execute("SELECT file_id, key, args, deps FROM tus")}
    todo = []
    for unit in units:
        old = None if again else stored.get(unit.file_id)
        if old is not None and old[1] == json.dumps(unit.args):
            deps = zlib.decompress(old[2]).decode().split("\n") if old[2] else []
            if deps and unit_key(unit.args, deps) == old[0]:
                summary.cached += 1
                continue
        todo.append(unit)
    wanted = {u.file_id for u in units}
    gone = [fid for fid in stored if fid not in wanted and fid in tree_files]
    # Units parsed again give up their claims first, so that whichever is parsed first claims a header.
    store.release_units(conn, gone + [u.file_id for u in todo])
    conn.executemany("DELETE FROM tus WHERE file_id = ?", [(fid,) for fid in gone])
    by_id = {u.file_id: u for u in todo}
    _FILE_IDS.clear()
    _FILE_IDS.update(_file_ids(conn))
    kept = _OutcomeCache(cache) if cache is not None else None
    resumed = [] if again else [outcome for unit in todo if kept and (outcome := kept.get(unit)) is not None]
    done_before = {outcome.file_id for outcome in resumed}
    fresh = [u for u in todo if u.file_id not in done_before]
    summary.resumed = len(resumed)
    for done, outcome in enumerate(_outcomes(resumed, fresh, jobs, timeout, kept), start=1):
        unit = by_id[outcome.file_id]
        _write(conn, unit, outcome)
        summary.names.update(row[0] for row in outcome.defs)
        for rows in outcome.headers.values():
            summary.names.update(row[0] for row in rows[0])
        summary.parsed += 1
        if outcome.status == "failed":
            summary.failed.append((unit.path, outcome.message))
        if progress:
            progress(done, len(todo), "units")
    if todo or gone:
        _finish(conn)
    summary.seconds = time.monotonic() - started
    return summary


def _outcomes(resumed: list[Outcome], todo: list[Unit], jobs: int, timeout: float,
              kept: _OutcomeCache | None) -> Iterator[Outcome]:
    """The outcomes a killed run kept, then each unit's as a worker finishes it (pebble's pool:
    a unit over `timeout` seconds is stopped, its worker replaced, and the unit failed with the
    reason)."""
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures import as_completed

    from pebble import ProcessExpired, ProcessPool

    yield from resumed
    if not todo:
        return
    with ProcessPool(max_workers=jobs, initializer=init_worker, context=get_context("fork")) as pool:
        try:
            with interrupts_held():  # the pool forks its workers at the first `schedule`
                futures = {pool.schedule(extract_unit, args=(unit,), timeout=timeout): unit for unit in todo}
            for future in as_completed(futures):
                unit = futures[future]
                try:
                    outcome = future.result()
                except FutureTimeout:
                    outcome = _given_up(unit, f"libclang took over the time limit of {timeout:.0f} s")
                except ProcessExpired as err:
                    outcome = _given_up(unit, f"libclang's worker died ({err})")
                if kept is not None:
                    kept.put(unit, outcome)
                yield outcome
        except BaseException:
            pool.stop()
            raise


def _given_up(unit: Unit, why: str) -> Outcome:
    """A unit that could not be parsed, keyed by its arguments and main file: tried again only
    when one of those changes (not on every run, where it would cost the time limit again)."""
    return Outcome(unit.file_id, unit_key(unit.args, [unit.path]), [unit.path], "failed", why)


class _OutcomeCache:
    """Each unit's outcome as soon as it is parsed, in a file of its own committed unit by unit,
    keyed by the main file, its arguments and the key of every file it read."""

    def __init__(self, path: Path) -> None:
        import pickle

        self._pickle = pickle
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("CREATE TABLE IF NOT EXISTS outcomes(path TEXT, args TEXT, key TEXT, outcome BLOB, "
                          "PRIMARY KEY(path, args))")

    def get(self, unit: Unit) -> Outcome | None:
        row = self.conn.execute("SELECT key, outcome FROM outcomes WHERE path = ? AND args = ?",
                                (unit.path, json.dumps(unit.args))).fetchone()
        if row is None:
            return None
        outcome = self._pickle.loads(zlib.decompress(row[1]))
        if outcome.file_id != unit.file_id or (outcome.status != "failed" and unit_key(unit.args, outcome.deps)
                                                != row[0]):
            return None  # another index's file ids, or a file it read has changed since
        return outcome

    def put(self, unit: Unit, outcome: Outcome) -> None:
        blob = zlib.compress(self._pickle.dumps(outcome, protocol=5))
        self.conn.execute("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?)",
                          (unit.path, json.dumps(unit.args), outcome.key, blob))


def _file_ids(conn: sqlite3.Connection) -> dict[str, int]:
    return {os.path.join(root, path): file_id for file_id, root, path in
            conn.execute("SELECT f.id, t.root, f.path FROM files f JOIN trees t ON t.id = f.tree_id")}


def _insert(conn: sqlite3.Connection, defs: list[tuple], calls: list[tuple], regs: list[tuple]) -> None:
    conn.executemany("INSERT INTO defs VALUES (?,?,?,?,?,?,?,?,?,?)", defs)
    conn.executemany("INSERT INTO calls VALUES (?,?,?,?,?,?,?,?)", calls)
    conn.executemany("INSERT INTO regs VALUES (?,?,?,?,?,?,?,?,?,?)", regs)


def _write(conn: sqlite3.Connection, unit: Unit, outcome: Outcome) -> None:
    if outcome.status != "failed":
        _insert(conn, outcome.defs, outcome.calls, outcome.regs)
        conn.execute("INSERT OR REPLACE INTO clang_files VALUES (?, ?)", (outcome.file_id, outcome.file_id))
        for header_id, rows in outcome.headers.items():
            if conn.execute("SELECT 1 FROM clang_files WHERE file_id = ?", (header_id,)).fetchone() is None:
                _insert(conn, *rows)
                conn.execute("INSERT INTO clang_files VALUES (?, ?)", (header_id, outcome.file_id))
    conn.execute("INSERT OR REPLACE INTO tus VALUES (?,?,?,?,?,?,?,?)",
                 (outcome.file_id, unit.config, json.dumps(unit.args), outcome.key,
                  zlib.compress("\n".join(outcome.deps).encode()),
                  zlib.compress(json.dumps(outcome.skipped).encode()), outcome.status, outcome.message))


def _finish(conn: sqlite3.Connection) -> None:
    """Recompute the files compiled and the regions every unit that read a file skipped."""
    ids = _file_ids(conn)
    readers: dict[int, int] = {}
    skipped: dict[int, dict[tuple[int, int], int]] = {}
    for deps, skipped_blob in conn.execute("SELECT deps, skipped FROM tus WHERE status != 'failed'"):
        for dep in set(zlib.decompress(deps).decode().split("\n")):
            file_id = ids.get(os.path.normpath(dep))
            if file_id is not None:
                readers[file_id] = readers.get(file_id, 0) + 1
        for path, ranges in json.loads(zlib.decompress(skipped_blob)).items():
            file_id = ids.get(os.path.normpath(path))
            if file_id is not None:
                counts = skipped.setdefault(file_id, {})
                for start, end in {tuple(r) for r in ranges}:
                    counts[(start, end)] = counts.get((start, end), 0) + 1
    conn.execute("DELETE FROM compiled")
    conn.executemany("INSERT INTO compiled VALUES (?)", [(fid,) for fid in readers])
    conn.execute("DELETE FROM inactive")
    conn.executemany("INSERT INTO inactive VALUES (?,?,?)",
                     [(fid, start, end) for fid, counts in skipped.items() for (start, end), n in counts.items()
                      if n == readers.get(fid)])
    conn.execute("DELETE FROM macros")
    conn.executemany("INSERT INTO macros VALUES (?,?,?,?,?)", _macros_read(conn, ids, readers, skipped))


def _macros_read(conn: sqlite3.Connection, ids: dict[str, int], readers: dict[int, int],
                 skipped: dict[int, dict[tuple[int, int], int]]) -> Iterator[tuple]:
    """(file id, line, name, params, body) of every #define the preprocessor read: the parser's
    definitions in the files some unit read, but for those inside a region every such unit skipped.
    (Derived here rather than reported by each unit: visiting some 16,000 macro definitions per
    unit from Python cost a tenth of the pass.)"""
    paths = {file_id: path for path, file_id in ids.items()}
    for file_id, units in readers.items():
        ranges = skipped.get(file_id, {})
        lines = None
        for line, name in conn.execute("SELECT line, name FROM defs WHERE file_id = ? AND kind = 'macro' "
                                       "AND source = 'ts'", (file_id,)):
            if sum(n for (start, end), n in ranges.items() if start <= line <= end) >= units:
                continue
            lines = file_lines(paths[file_id]) if lines is None else lines
            text = _macro_text(lines, line)
            if text is not None:
                yield (file_id, line, name, *text)


_NAME_PARAMS = re.compile(r"\s*([A-Za-z_]\w*)(\([^)]*\))?(.*)$", re.S)


def _macro_text(lines: list[str], line: int) -> tuple[str | None, str] | None:
    """(params, body) of the #define starting on `line`, continuation lines joined."""
    text = define_text(lines, line)
    match = _NAME_PARAMS.match(text) if text is not None else None
    if match is None:
        return None
    return match.group(2), " ".join(match.group(3).split())
