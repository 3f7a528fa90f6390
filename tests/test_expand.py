"""`xref expand` on the bundled corpus, checked against the real preprocessor with the unit's own flags."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_xref
from xref.corpus import BUNDLED
from xref.expand import expand_at, invocation_at
from xref.macros import tokenize
from xref.queries import Index

CLANG = shutil.which("clang")


def preprocessed_lines(path: Path, args: list[str], first: int, last: int) -> list[str]:
    """Tokens clang -E emits for lines first..last of `path`, found through its line markers."""
    proc = subprocess.run([CLANG, "-E", *args, str(path)], capture_output=True, text=True, check=True)
    current, number, out = "", 0, []
    for line in proc.stdout.splitlines():
        marker = re.match(r'^# (\d+) "([^"]*)"', line)
        if marker:
            number, current = int(marker.group(1)), marker.group(2)
            continue
        if Path(current).resolve() == path.resolve() and first <= number <= last:
            out += [t.text for t in tokenize(line)]
        number += 1
    return out


def syscall_sites(tree: Path) -> list[tuple[str, int]]:
    sites = []
    for path in sorted(tree.rglob("*.c")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.match(r"^(COMPAT_)?SYSCALL_DEFINE\d\(", line):
                sites.append((str(path.relative_to(tree)), number))
    return sites


SITES = syscall_sites(BUNDLED / "linux")


@pytest.mark.skipif(CLANG is None, reason="needs clang for the oracle")
@pytest.mark.parametrize("rel, line", SITES, ids=[f"{r}:{n}" for r, n in SITES])
def test_every_syscall_define_site_expands_as_the_compiler_does(semantic_db, rel, line):
    index = Index.open(str(semantic_db))
    conn = sqlite3.connect(next(semantic_db.glob("gen-*")) / "facts.sqlite")
    row = conn.execute("SELECT args FROM tus JOIN files f ON f.id = tus.file_id JOIN trees t ON t.id = f.tree_id "
                       "WHERE t.name = 'linux' AND f.path = ?", (rel,)).fetchone()
    if row is None:
        pytest.skip(f"{rel} is not compiled in this configuration")
    path = BUNDLED / "linux" / rel
    lines = path.read_text().splitlines()
    text = invocation_at(lines, line)
    last = line + text.count("\n")
    result = expand_at(index, rel, line)
    assert [t.text for t in tokenize(result.final)] == preprocessed_lines(path, json.loads(row[0]), line, last)


def test_sendto_chain_goes_through_the_x86_wrapper(semantic_db):
    line = next(n for n, text in enumerate((BUNDLED / "linux/net/socket.c").read_text().splitlines(), 1)
                if text.startswith("SYSCALL_DEFINE6(sendto"))
    proc = run_xref("expand", f"net/socket.c:{line}", "--json", "--db", str(semantic_db), check=True)
    result = json.loads(proc.stdout)
    chain = [(s["macro"], s["where"].split(":")[0]) for s in result["steps"] if s["depth"] == 0]
    assert chain[0] == ("SYSCALL_DEFINE6", "include/linux/syscalls.h")
    assert ("__SYSCALL_DEFINEx", "arch/x86/include/asm/syscall_wrapper.h") in chain
    for name in ("__x64_sys_sendto", "__se_sys_sendto", "__do_sys_sendto"):
        assert re.search(rf"\b{name}\s*\(", result["final"]), name


def test_text_expansion_in_the_context_of_a_file(semantic_db):
    proc = run_xref("expand", "--text", "INDIRECT_CALL_INET(f, a, b, x)", "--file", "net/socket.c", "--final",
                    "--db", str(semantic_db), check=True)
    assert "a(x)" in proc.stdout.replace(" ", "") and "b(x)" in proc.stdout.replace(" ", "")


@pytest.mark.parametrize("args, message", [
    (["net/socket.c:abc"], "PATH:LINE"),
    (["no/such/file.c:3"], "is not in the index"),
    (["net/socket.c:99999"], "past the end of the file"),
    (["--text", "SYSCALL_DEFINE6(sendto, int"], "unterminated argument list"),
])
def test_bad_places_get_one_clear_line(semantic_db, args, message):
    proc = run_xref("expand", *args, "--db", str(semantic_db))
    assert proc.returncode == 2 and message in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
