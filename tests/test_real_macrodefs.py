"""Macro-generated definitions on the real trees without a configuration (slow)."""

from __future__ import annotations

import pytest

from tests.test_real_trees import line_of, xref_json
from xref.queries import Index

pytestmark = pytest.mark.slow


def _table_rows(path) -> list[tuple[str, str, str]]:
    """(number, abi, entry point) of every row of a syscall table that names one."""
    rows = []
    for line in path.read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 4:
            rows.append((fields[0], fields[1], fields[3]))
    return rows


def _generated_by_a_syscall_macro(index: Index, entry: str) -> bool:
    """The entry point, or the x86 handler its table row dispatches to, defined by a SYSCALL_DEFINE
    expansion somewhere other than the weak fallbacks of kernel/sys_ni.c."""
    for name in (entry, f"__x64_{entry}", f"__x32_{entry}"):
        for hit in index.definitions(name):
            if hit.source == "macro" and hit.path != "kernel/sys_ni.c" and "SYSCALL_DEFINE" in hit.extra["macro"]:
                return True
    return False


def test_unconfigured_linux_defines_the_handler_of_every_x86_64_table_row(linux_ts_db, linux_tree):
    rows = [r for r in _table_rows(linux_tree / "arch/x86/entry/syscalls/syscall_64.tbl") if r[2] != "sys_ni_syscall"]
    assert len(rows) > 300
    index = Index.open(str(linux_ts_db))
    missing = [row for row in rows if not _generated_by_a_syscall_macro(index, row[2])]
    print(f"\nsyscall_64.tbl: {len(rows) - len(missing)} of {len(rows)} implemented rows have their handler "
          f"from a SYSCALL_DEFINE expansion; missing: {missing}")
    assert len(missing) <= len(rows) // 100, missing


def test_unconfigured_linux_sendto_chain_names_every_candidate_wrapper(linux_ts_db, linux_tree):
    line = line_of(linux_tree / "net/socket.c", r"^SYSCALL_DEFINE6\(sendto,")
    hits = xref_json(linux_ts_db, "def", "__do_sys_sendto")
    assert [(h["path"], h["line"], h["kind"], h["source"]) for h in hits] == \
        [("net/socket.c", line, "function", "macro")]
    x64 = [h for h in xref_json(linux_ts_db, "def", "__x64_sys_sendto") if h["path"] == "net/socket.c"]
    assert "__SYSCALL_DEFINEx (arch/x86/include/asm/syscall_wrapper.h:" in x64[0]["macro"]
    generic = [h for h in xref_json(linux_ts_db, "def", "sys_sendto") if h["path"] == "net/socket.c"]
    assert [h["kind"] for h in generic] == ["alias"]
    assert "__SYSCALL_DEFINEx (include/linux/syscalls.h:" in generic[0]["macro"]


def test_unconfigured_glibc_sendto_is_the_weak_alias_of_libc_sendto(glibc_ts_db, glibc_tree):
    line = line_of(glibc_tree / "sysdeps/unix/sysv/linux/sendto.c", r"^weak_alias \(__libc_sendto, sendto\)")
    hits = [h for h in xref_json(glibc_ts_db, "def", "sendto") if h["kind"] == "alias"]
    linux = [h for h in hits if h["path"] == "sysdeps/unix/sysv/linux/sendto.c"]
    assert [(h["line"], h["source"]) for h in linux] == [(line, "macro")]
    assert linux[0]["macro"].startswith("weak_alias (include/libc-symbols.h:")


def test_configured_index_keeps_the_compilers_view_where_it_has_one(linux_db, linux_tree):
    # net/socket.c was parsed by the semantic pass: its SYSCALL_DEFINE sites are clang's alone,
    # while a file outside the parsed directories keeps what the macro stage found.
    line = line_of(linux_tree / "net/socket.c", r"^SYSCALL_DEFINE6\(sendto,")
    at_sendto = [h for h in xref_json(linux_db, "def", "sys_sendto") if h["path"] == "net/socket.c"]
    assert at_sendto == []  # x86_64 builds no sys_sendto alias
    assert {h["source"] for h in xref_json(linux_db, "def", "__do_sys_sendto") if h["line"] == line} == {"clang"}
    ipc = line_of(linux_tree / "ipc/msg.c", r"^SYSCALL_DEFINE2\(msgget,")
    assert ("ipc/msg.c", ipc, "macro") in {(h["path"], h["line"], h["source"])
                                            for h in xref_json(linux_db, "def", "__do_sys_msgget")}
