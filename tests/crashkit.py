"""Killing `xref index` and comparing what the index then answers with fresh builds.

`snapshot` is everything an index answers from: every fact row (file ids replaced by paths, so
that a re-index and a fresh build compare; kept as a count and a sum of hashes per table), the
running totals, and what search finds for some names. `kill_at` runs the indexer and stops it
at a step boundary (`XREF_STOP_AT`, where it stops itself) or after a delay, with SIGKILL or
SIGINT.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO
from xref import store
from xref.queries import Index

# Tables whose rows name a file (first the column holding its id), compared path by path.
_BY_FILE = {
    "defs": "file_id", "scopes": "file_id", "refs": "file_id", "calls": "file_id", "regs": "file_id",
    "includes": "file_id", "syscalls": "file_id", "invocations": "file_id", "glibc_calls": "file_id",
    "xlists": "file_id", "unlikely": "file_id", "built": "file_id", "modular": "file_id", "macros": "file_id",
    "inactive": "file_id", "compiled": "file_id",
}
# The step boundaries of a run (indexer/pipeline.py's _step); the CLI makes two runs, the
# tree-sitter layer's and then the semantic pass's.
STEPS = ("facts", "macros", "semantic", "search", "committed")


def _digest(rows) -> tuple[int, int]:
    """(row count, a sum of the rows' hashes): equal for equal multisets of rows, in any order."""
    count = total = 0
    for row in rows:
        count += 1
        total = (total + hash(row)) & 0xFFFFFFFFFFFFFFFF
    return count, total


def snapshot(db: Path, probes: list[str]) -> dict:
    gen = store.current_generation(db)
    if gen is None:
        return {"index": None}
    conn = sqlite3.connect(f"file:{gen / 'facts.sqlite'}?mode=ro", uri=True)
    try:
        trees = dict(conn.execute("SELECT id, name FROM trees"))
        paths = {fid: (trees[tid], path) for fid, tid, path in conn.execute("SELECT id, tree_id, path FROM files")}
        shot: dict = {"files": _digest((paths[fid], digest, lang, errors) for fid, digest, lang, errors in
                                       conn.execute("SELECT id, hash, lang, errors FROM files"))}
        for table, column in _BY_FILE.items():
            names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            at = names.index(column)
            shot[table] = _digest(tuple(paths.get(v, v) if i == at else v for i, v in enumerate(row))
                                  for row in conn.execute(f"SELECT * FROM {table}"))
        shot["tus"] = _digest((paths[fid], status, message) for fid, status, message in
                              conn.execute("SELECT file_id, status, message FROM tus"))
        # (which unit claims a header's inline functions is the first to walk it: any one does)
        shot["clang_files"] = _digest(paths[fid] for (fid,) in conn.execute("SELECT file_id FROM clang_files"))
        shot["skipped"] = _digest(conn.execute("SELECT t.name, s.path, s.reason FROM skipped s "
                                               "JOIN trees t ON t.id = s.tree_id"))
        shot["meta"] = sorted(conn.execute("SELECT key, value FROM meta"))
    finally:
        conn.close()
    index = Index.open(str(db))
    shot["search"] = {name: [hit.name for hit in index.search(name, limit=10)] for name in probes}
    return shot


def differences(a: dict, b: dict) -> list[str]:
    """The parts of two snapshots that differ."""
    return [f"{key}: {str(a.get(key))[:300]} != {str(b.get(key))[:300]}"
            for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def index_command(trees: list[Path], db: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "xref.cli", "index", *map(str, trees), "--db", str(db), *options]


def kill_at(command: list[str], env: dict, how: int, step: str | None = None, delay: float = 0.0) -> str:
    """Run `command`, kill it with signal `how` at `step` (or after `delay` seconds), and return
    its standard error. A run that ends first is left to end."""
    full_env = dict(os.environ)
    full_env.pop("XREF_DB", None)
    full_env.update(env)
    if step:
        full_env["XREF_STOP_AT"] = step
    proc = subprocess.Popen(command, cwd=REPO, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_default_sigint, start_new_session=False)
    if step:
        while proc.poll() is None and _state(proc.pid) != "T":
            time.sleep(0.01)
    else:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        proc.send_signal(how)
        if how != signal.SIGKILL:
            proc.send_signal(signal.SIGCONT)  # stopped at a step: SIGINT is seen once it runs
    _, err = proc.communicate(timeout=300)
    return err


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""
