"""The expansion engine on real Linux 6.1 (x86_64 defconfig) and glibc 2.36, against clang -E (slow)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import run_xref
from xref.expand import expand_at, expand_text, invocation_at
from xref.macros import tokenize
from xref.queries import Index

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("clang") is None, reason="needs clang")]


def _unit_args(db: Path, rel: str) -> list[str]:
    conn = sqlite3.connect(next(db.glob("gen-*")) / "facts.sqlite")
    row = conn.execute("SELECT args FROM tus JOIN files f ON f.id = tus.file_id WHERE f.path = ?", (rel,)).fetchone()
    assert row is not None, f"{rel} has no translation unit"
    return _accepted(json.loads(row[0]))


def _accepted(args: list[str]) -> list[str]:
    """The arguments the installed clang takes (it may be older than libclang)."""
    for _ in range(10):
        proc = subprocess.run(["clang", "-E", "-x", "c", "/dev/null", *args], capture_output=True, text=True)
        bad = {a for a in args for line in proc.stderr.splitlines() if "error" in line and f"'{a}'" in line}
        if not bad:
            return args
        args = [a for a in args if a not in bad]
    return args


def _by_line(path: Path, args: list[str]) -> dict[int, list[str]]:
    """clang -E's tokens of `path`, by the source line its line markers give them."""
    proc = subprocess.run(["clang", "-E", *args, str(path)], capture_output=True, text=True, check=True)
    current, number, out = "", 0, {}
    for line in proc.stdout.splitlines():
        marker = re.match(r'^# (\d+) "([^"]*)"', line)
        if marker:
            number, current = int(marker.group(1)), marker.group(2)
            continue
        if current == str(path):
            out.setdefault(number, []).extend(t.text for t in tokenize(line))
        number += 1
    return out


def _check_sites(db: Path, tree: Path, rel: str, pattern: str, minimum: int) -> None:
    path = tree / rel
    lines = path.read_text().splitlines()
    sites = [n for n, text in enumerate(lines, 1) if re.match(pattern, text)]
    assert len(sites) >= minimum
    expected = _by_line(path, _unit_args(db, rel))
    index = Index.open(str(db))
    file_id = index.file_id(rel)
    mismatched = []
    for line in sites:
        invocation = invocation_at(lines, line, None)
        last = line + invocation.count("\n")
        text = "\n".join(lines[line - 1 : last])
        ours = [t.text for t in tokenize(expand_text(index, text, file_id).final)]
        theirs = [tok for n in range(line, last + 1) for tok in expected.get(n, [])]
        if ours != theirs:
            mismatched.append(line)
    assert not mismatched, f"{rel}: lines {mismatched} differ from clang -E"


@pytest.mark.parametrize("rel", ["net/socket.c", "kernel/sys.c"])
def test_syscall_define_sites_expand_as_clang_does(linux_db, linux_tree, rel):
    _check_sites(linux_db, linux_tree, rel, r"^(COMPAT_)?SYSCALL_DEFINE\d\(", 10)


@pytest.mark.parametrize("name", ["sendto", "connect", "recvfrom"])
def test_glibc_syscall_cancel_sites_expand_as_clang_does(glibc_db, glibc_tree, name):
    _check_sites(glibc_db, glibc_tree, f"sysdeps/unix/sysv/linux/{name}.c", r".*\bSYSCALL_CANCEL\s*\(", 1)


def test_glibc_bind_comes_from_syscalls_list_on_x86_64(glibc_db):
    # bind.c has no SYSCALL_CANCEL site, and on x86_64 it is not even compiled: an earlier sysdeps
    # directory's syscalls.list has bind, so make-syscalls.sh builds it from syscall-template.S.
    conn = sqlite3.connect(next(glibc_db.glob("gen-*")) / "facts.sqlite")
    units = {row[0] for row in conn.execute("SELECT f.path FROM tus JOIN files f ON f.id = tus.file_id")}
    assert "sysdeps/unix/sysv/linux/bind.c" not in units and "sysdeps/unix/sysv/linux/sendto.c" in units


def test_sendto_site_shows_the_x86_wrapper_chain_quickly(linux_db, linux_tree):
    lines = (linux_tree / "net/socket.c").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("SYSCALL_DEFINE6(sendto,"))
    started = time.monotonic()
    expand_at(Index.open(str(linux_db)), "net/socket.c", line)
    elapsed = time.monotonic() - started
    proc = run_xref("expand", f"net/socket.c:{line}", "--json", "--db", str(linux_db), check=True)
    result = json.loads(proc.stdout)
    chain = [(s["macro"], s["where"].split(":")[0]) for s in result["steps"] if s["depth"] == 0]
    assert [m for m, _ in chain[:2]] == ["SYSCALL_DEFINE6", "SYSCALL_DEFINEx"]
    assert {where for _, where in chain[:2]} == {"include/linux/syscalls.h"}
    assert ("__SYSCALL_DEFINEx", "arch/x86/include/asm/syscall_wrapper.h") in chain
    helpers = {m for m, where in chain if where == "arch/x86/include/asm/syscall_wrapper.h"}
    assert {"__X64_SYS_STUBx", "__SYS_STUBx"} & helpers
    for name in ("__x64_sys_sendto", "__se_sys_sendto", "__do_sys_sendto"):
        assert re.search(rf"\b{name}\s*\(", result["final"]), name
    assert elapsed < 0.5, elapsed
