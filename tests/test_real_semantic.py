"""The libclang pass on real Linux 6.1 (x86_64 defconfig) and glibc 2.36 (x86_64) (slow)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import LINUX_SEMANTIC_DIRS, run_xref
from tests.test_real_trees import line_of, xref_json

pytestmark = pytest.mark.slow

SEMANTIC_DIRS = LINUX_SEMANTIC_DIRS


def _facts(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(next(db.glob("gen-*")) / "facts.sqlite")


@pytest.mark.parametrize("name", ["__do_sys_sendto", "__x64_sys_sendto", "__se_sys_sendto"])
def test_sendto_handlers_are_defined_at_the_syscall_define_line(linux_db, linux_tree, name):
    line = line_of(linux_tree / "net/socket.c", r"^SYSCALL_DEFINE6\(sendto,")
    hits = [h for h in xref_json(linux_db, "def", name) if h["path"] == "net/socket.c"]
    assert [(h["line"], h["source"], h["macro"]) for h in hits] == [(line, "clang", "SYSCALL_DEFINE6")]


def test_indirect_call_inet_site_has_the_direct_guess_and_the_proto_ops_hop(linux_db, linux_tree):
    site = line_of(linux_tree / "net/socket.c", r"INDIRECT_CALL_INET\(sock->ops->sendmsg")
    refs = [h for h in xref_json(linux_db, "refs", "inet_sendmsg")
            if h["path"] == "net/socket.c" and h["line"] in (site, site + 1)]  # the call spans two lines
    function = refs[0]["function"]
    callees = xref_json(linux_db, "callees", function)
    assert ("inet_sendmsg", "direct", "clang") in {(h["callee"], h["how"], h["source"]) for h in callees}
    assert ("proto_ops", "sendmsg") in {(h.get("struct"), h.get("field")) for h in callees
                                         if h["how"].startswith("indirect")}


@pytest.mark.parametrize("function, struct, field", [
    ("inet_sendmsg", "proto", "sendmsg"),
    ("dst_output", "dst_entry", "output"),
])
def test_indirect_hops_name_struct_and_field(linux_db, function, struct, field):
    callees = xref_json(linux_db, "callees", function)
    assert (struct, field, "clang") in {(h.get("struct"), h.get("field"), h["source"]) for h in callees}


def test_most_units_under_the_named_directories_parse_without_fatal_errors(linux_db):
    conn = _facts(linux_db)
    rows = conn.execute("SELECT f.path, tus.status, tus.message FROM tus JOIN files f ON f.id = tus.file_id"
                        ).fetchall()
    per_dir = {d: [r for r in rows if r[0].startswith(d + "/")] for d in SEMANTIC_DIRS}
    assert all(len(units) >= 50 for units in per_dir.values()), {d: len(u) for d, u in per_dir.items()}
    failed = [r for r in rows if r[1] == "failed"]
    assert len(failed) <= len(rows) * 0.05, failed[:20]
    assert all(message for _, _, message in failed)  # each one says why
    # kbuild made the headers it generates for an object (arch/x86/lib's inat-tables.c), and the
    # units that had missed them were parsed again.
    assert not [r for r in failed if "file not found" in r[2]]
    assert {status for path, status, _ in rows if path == "arch/x86/lib/inat.c"} in ({"ok"}, {"errors"})
    proc = run_xref("stats", "--db", str(linux_db), check=True)
    assert f"translation_units: {len(rows)}" in proc.stdout
    listed = run_xref("stats", "--failed", "--db", str(linux_db), check=True).stdout.splitlines()
    assert len(listed) == len(failed)


def test_configuration_leaves_unbuilt_code_to_tree_sitter(linux_db):
    conn = _facts(linux_db)
    # An unset option's file has no unit and keeps its tree-sitter facts (CONFIG_QUOTACTL is set in
    # defconfig, so take a driver of another architecture's network card under net/ instead).
    units = {row[0] for row in conn.execute("SELECT f.path FROM tus JOIN files f ON f.id = tus.file_id")}
    assert "net/socket.c" in units and "net/ipv4/udp.c" in units
    assert "net/sctp/socket.c" not in units  # CONFIG_IP_SCTP is not in x86_64 defconfig
    assert xref_json(linux_db, "def", "sctp_sendmsg")[0]["source"] == "ts"
    inactive = conn.execute("SELECT count(*) FROM inactive").fetchone()[0]
    assert inactive > 1000  # #if regions the configuration skips everywhere it reads them


def test_glibc_sendto_wrapper_and_its_syscall_cancel_chain(glibc_db, glibc_tree):
    line = line_of(glibc_tree / "sysdeps/unix/sysv/linux/sendto.c", r"^__libc_sendto \(")
    hits = [h for h in xref_json(glibc_db, "def", "__libc_sendto") if h["source"] == "clang"]
    assert [(h["path"], h["line"]) for h in hits] == [("sysdeps/unix/sysv/linux/sendto.c", line)]
    callees = {(h["callee"], h["source"]) for h in xref_json(glibc_db, "callees", "__libc_sendto")}
    # SYSCALL_CANCEL brackets the system call with the cancellation switches.
    assert {("__pthread_enable_asynccancel", "clang"), ("__pthread_disable_asynccancel", "clang")} <= callees
    aliases = {(h["kind"], h["path"]) for h in xref_json(glibc_db, "def", "sendto")}
    assert ("alias", "sysdeps/unix/sysv/linux/sendto.c") in aliases


def test_glibc_generic_stub_is_not_compiled(glibc_db):
    conn = _facts(glibc_db)
    units = {row[0] for row in conn.execute("SELECT f.path FROM tus JOIN files f ON f.id = tus.file_id")}
    assert "sysdeps/unix/sysv/linux/sendto.c" in units
    assert "socket/sendto.c" not in units  # the ENOSYS stub every port replaces


def test_most_glibc_units_parse_without_fatal_errors(glibc_db):
    # The build directory has the headers glibc's make generates first (abi-versions.h, ...).
    rows = _facts(glibc_db).execute("SELECT tus.status, tus.message FROM tus").fetchall()
    failed = [message for status, message in rows if status == "failed"]
    assert len(rows) > 300 and len(failed) <= len(rows) * 0.1, failed[:20]
