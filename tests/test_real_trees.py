"""The ctags/cscope core on the real Linux 6.1 and glibc 2.36 trees (slow: indexes the whole tree)."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess

import pytest

from tests.conftest import run_xref

pytestmark = pytest.mark.slow


def line_of(path, pattern):
    """1-based line of the first line of `path` matching `pattern` (the test's own oracle)."""
    regex = re.compile(pattern)
    for number, text in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        if regex.search(text):
            return number
    raise AssertionError(f"{pattern!r} not in {path}")


def xref_json(db, *args):
    return json.loads(run_xref(*args, "--json", "--db", str(db), check=True).stdout)


def test_def_udp_sendmsg_at_its_definition_line(linux_db, linux_tree):
    expected = line_of(linux_tree / "net/ipv4/udp.c", r"^int udp_sendmsg\(")
    hits = xref_json(linux_db, "def", "udp_sendmsg")
    assert {"kind": "function", "path": "net/ipv4/udp.c", "line": expected}.items() <= hits[0].items()


def test_callers_of_udp_sendmsg_include_udpv6_sendmsg(linux_db):
    callers = {h.get("caller") for h in xref_json(linux_db, "callers", "udp_sendmsg")}
    assert "udpv6_sendmsg" in callers


def test_refs_of_udp_sendmsg_include_initializer_and_indirect_call(linux_db, linux_tree):
    refs = {(h["path"], h["line"]) for h in xref_json(linux_db, "refs", "udp_sendmsg")}
    init = line_of(linux_tree / "net/ipv4/udp.c", r"\.sendmsg\s*=\s*udp_sendmsg")
    indirect = line_of(linux_tree / "net/ipv4/af_inet.c", r"INDIRECT_CALL_2\(sk->sk_prot->sendmsg")
    assert ("net/ipv4/udp.c", init) in refs
    assert ("net/ipv4/af_inet.c", indirect + 1) in refs or ("net/ipv4/af_inet.c", indirect) in refs


def test_regs_of_udp_sendmsg_include_the_proto_initializer(linux_db):
    regs = {(h.get("struct"), h.get("field"), h.get("how")) for h in xref_json(linux_db, "regs", "udp_sendmsg")}
    assert ("proto", "sendmsg", "initializer") in regs


def test_regs_field_ndo_start_xmit_includes_loopback_xmit(linux_db):
    hits = xref_json(linux_db, "regs", "--field", "net_device_ops.ndo_start_xmit")
    assert ("loopback_xmit", "drivers/net/loopback.c") in {(h["name"], h["path"]) for h in hits}
    assert len(hits) > 300  # every ethernet driver registers one


def test_entry_assembly_calls_the_c_dispatcher(linux_db):
    callers = {(h.get("caller"), h["path"]) for h in xref_json(linux_db, "callers", "do_syscall_64")}
    assert ("entry_SYSCALL_64", "arch/x86/entry/entry_64.S") in callers


def test_syscall_table_rows_match_the_file(linux_db, linux_tree):
    from xref.queries import Index

    table = linux_tree / "arch/x86/entry/syscalls/syscall_64.tbl"
    rows = [line.split() for line in table.read_text().splitlines() if line[:1].isdigit()]
    idx = Index.open(str(linux_db))
    stored = idx.conn.execute(
        "SELECT s.nr, s.abi, s.name, s.entry FROM syscalls s JOIN files f ON f.id = s.file_id "
        "WHERE f.path = 'arch/x86/entry/syscalls/syscall_64.tbl' ORDER BY s.line").fetchall()
    assert stored == [(int(r[0]), r[1], r[2], r[3] if len(r) > 3 else "") for r in rows]


def test_glibc_wrapper_definition_and_alias_reference(glibc_db, glibc_tree):
    expected = line_of(glibc_tree / "sysdeps/unix/sysv/linux/sendto.c", r"^__libc_sendto \(")
    hits = xref_json(glibc_db, "def", "__libc_sendto")
    assert ("sysdeps/unix/sysv/linux/sendto.c", expected) in {(h["path"], h["line"]) for h in hits}
    refs = {h["path"] for h in xref_json(glibc_db, "refs", "SYSCALL_CANCEL")}
    assert "sysdeps/unix/sysv/linux/sendto.c" in refs
    assert "sysdeps/unix/sysdep.h" in {h["path"] for h in xref_json(glibc_db, "def", "SYSCALL_CANCEL")}


@pytest.mark.skipif(shutil.which("gtags") is None, reason="GNU Global (gtags) is not installed")
def test_function_definitions_agree_with_gnu_global(linux_db, linux_tree, tmp_path):
    """Of gtags' function definitions (a sample of 1,000), xref finds 99.5% at the same path:line.

    gtags names a function after a function-like macro in front of it (`__printf(1, 2) int f(`,
    `SEC("x")` above `int f(`, `SYSCALL_DEFINE3(bind, ...)`): those rows are gtags misparses and
    are left out of the sample, and counted.
    """
    from xref.queries import Index

    gtags_dir = tmp_path / "gtags"
    gtags_dir.mkdir()
    files = sorted(str(p.relative_to(linux_tree)) for p in linux_tree.rglob("*.[ch]") if p.is_file())
    subprocess.run(["gtags", "-f", "-", str(gtags_dir)], input="\n".join(files), text=True, cwd=linux_tree,
                   check=True, capture_output=True, env={"PATH": "/usr/bin:/bin"})
    listing = subprocess.run(["global", "-x", "-d", "."], cwd=linux_tree, text=True, capture_output=True,
                             env={"PATH": "/usr/bin:/bin", "GTAGSROOT": str(linux_tree),
                                  "GTAGSDBPATH": str(gtags_dir)}, check=True).stdout
    idx = Index.open(str(linux_db))
    functions = []
    for row in listing.splitlines():
        parts = row.split(None, 3)
        name, line, path, text = parts if len(parts) == 4 else (*parts, "")
        # a function definition in gtags' listing: a call-shaped line that is not a macro definition
        if "(" in text and not text.lstrip().startswith("#") and not text.rstrip().endswith(";"):
            functions.append((name, path, int(line)))
    sample = random.Random(61).sample(functions, 1000)

    def macro_named(name: str) -> bool:
        return any(h.text.startswith(f"#define {name}(") for h in idx.definitions(name, kinds=("macro",)))

    misparsed = [row for row in sample if macro_named(row[0])]
    checked = [row for row in sample if row not in misparsed]
    missed = [(n, p, ln) for n, p, ln in checked if (p, ln) not in {(h.path, h.line) for h in idx.definitions(n)}]
    print(f"gtags sample: {len(sample)}, macro misparses left out: {len(misparsed)}, missed: {len(missed)}")
    assert len(checked) >= 950
    assert len(missed) <= len(checked) * 0.005, missed
