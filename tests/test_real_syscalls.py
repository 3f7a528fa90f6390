"""`xref syscall` on the real Linux 6.1 tree (slow)."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest

from tests.conftest import run_xref
from tests.test_real_trees import line_of
from tests.test_syscalls import table

pytestmark = pytest.mark.slow

_SITE = re.compile(rb"^((?:COMPAT_)?SYSCALL_DEFINE\d)\((\w+)", re.M)


def define_sites(root) -> dict[str, set[tuple[str, int]]]:
    """Every `(COMPAT_)SYSCALL_DEFINEn(name` at the start of a line in the tree, by entry point."""
    sites: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for path in root.rglob("*.c"):
        data = path.read_bytes()
        if b"SYSCALL_DEFINE" not in data:
            continue
        for match in _SITE.finditer(data):
            prefix = "compat_sys_" if match.group(1).startswith(b"COMPAT") else "sys_"
            line = data.count(b"\n", 0, match.start()) + 1
            sites[prefix + match.group(2).decode()].add((str(path.relative_to(root)), line))
    return sites


@pytest.mark.parametrize("layer", ["linux_ts_db", "linux_db"])
@pytest.mark.parametrize("abi", ["x86_64", "x32"])
def test_every_row_of_the_64_bit_table_has_its_own_architectures_handler(layer, abi, linux_tree, request):
    """All 398 rows of syscall_64.tbl under both ABIs, on the plain index and with the semantic
    pass: the handler is the SYSCALL_DEFINE of the row's entry point in generic code or arch/x86,
    never another architecture's (arm64's mmap, alpha's rt_sigaction)."""
    db = request.getfixturevalue(layer)
    columns = ("common", "64") if abi == "x86_64" else ("common", "x32")
    rows = [r for r in table(linux_tree / "arch/x86/entry/syscalls/syscall_64.tbl") if r[1] in columns]
    listed = json.loads(run_xref("syscall", "--list", "--arch", "x86_64", "--abi", abi, "--json", "--db", str(db),
                                 check=True).stdout)
    assert [(c["row"]["number"], c["row"]["name"]) for c in listed] == [(nr, name) for nr, _, name, _, _ in rows]
    sites = define_sites(linux_tree)
    for call in listed:
        row, handler = call["row"], call["handler"]
        entry = row["entry"]
        assert call["dispatch"]["form"] == "switch", entry
        if entry in ("", "sys_ni_syscall"):  # reserved, or never implemented
            assert handler["status"] == "not implemented", row["name"]
        elif handler["status"] == "implemented":
            assert (handler["path"], handler["line"]) in sites[entry], entry
            assert not handler["path"].startswith("arch/") or handler["path"].startswith("arch/x86/"), \
                (entry, handler["path"])
        else:
            # Only the weak COND_SYSCALL stub: the tree has no SYSCALL_DEFINE for it (lookup_dcookie).
            assert handler["status"] == "not built" and entry not in sites, entry


def test_i386_socketcall_reaches_the_compat_handler(linux_ts_db, linux_tree):
    call = json.loads(run_xref("syscall", "--abi", "i386", "socketcall", "--json", "--db", str(linux_ts_db),
                               check=True).stdout)
    line = line_of(linux_tree / "net/compat.c", r"^COMPAT_SYSCALL_DEFINE2\(socketcall,")
    assert call["dispatch"]["via"] == "ia32_sys_call"
    assert (call["handler"]["symbol"], call["handler"]["path"], call["handler"]["line"]) == \
        ("__ia32_compat_sys_socketcall", "net/compat.c", line)


def test_the_32_bit_instructions_land_where_syscall_init_says(linux_db, linux_tree):
    call = json.loads(run_xref("syscall", "--abi", "i386", "sendto", "--json", "--db", str(linux_db),
                               check=True).stdout)
    common = linux_tree / "arch/x86/kernel/cpu/common.c"
    sysenter = line_of(common, r"wrmsrl_safe\(MSR_IA32_SYSENTER_EIP, \(u64\)entry_SYSENTER_compat\)")
    cstar = line_of(common, r"wrmsrl_cstar\(\(unsigned long\)entry_SYSCALL_compat\)")  # its parameter is written
    entries = {e["instruction"]: (e["symbol"], e["where"]) for e in call["entries"]}
    assert entries["sysenter"] == ("entry_SYSENTER_compat", f"arch/x86/kernel/cpu/common.c:{sysenter}")
    assert entries["syscall"] == ("entry_SYSCALL_compat", f"arch/x86/kernel/cpu/common.c:{cstar}")
    assert entries["int $0x80"][0]  # the IDT's vector 0x80 entry (int80_emulation in 6.1.192)


def test_with_the_semantic_pass_the_handler_is_the_compilers(linux_db, linux_tree):
    out = run_xref("syscall", "sendto", "--db", str(linux_db), check=True).stdout
    line = line_of(linux_tree / "net/socket.c", r"^SYSCALL_DEFINE6\(sendto,")
    assert f"__x64_sys_sendto  net/socket.c:{line}  SYSCALL_DEFINE6  [clang]" in out


@pytest.mark.parametrize("index", ["linux_ts_db", "linux_db"])
@pytest.mark.parametrize("arch,dispatcher,symbol", [
    ("arm64", "arch/arm64/kernel/sys.c", "__arm64_sys_sendto"),  # the syscall wrapper's name
    ("riscv", "arch/riscv/kernel/syscall_table.c", "sys_sendto"),  # no wrapper: the handler itself
])
def test_generic_unistd_architectures(request, index, linux_tree, arch, dispatcher, symbol):
    """arm64 and riscv number their calls in asm-generic/unistd.h, not in a .tbl; their
    dispatchers are tables built from it. With the semantic pass (x86_64 compiled) too: the
    compiler never made `__arm64_sys_sendto`, the macro stage's guess at it answers."""
    linux_ts_db = request.getfixturevalue(index)
    header = linux_tree / "include/uapi/asm-generic/unistd.h"
    number = int(re.search(r"^#define __NR_sendto (\d+)", header.read_text(), re.M).group(1))
    call = json.loads(run_xref("syscall", "sendto", "--arch", arch, "--json", "--db", str(linux_ts_db),
                               check=True).stdout)
    assert (call["row"]["number"], call["row"]["entry"]) == (number, "sys_sendto")
    assert (call["dispatch"]["form"], call["dispatch"]["via"], call["dispatch"]["path"]) == \
        ("table", "sys_call_table", dispatcher)
    line = line_of(linux_tree / "net/socket.c", r"^SYSCALL_DEFINE6\(sendto,")
    assert (call["handler"]["symbol"], call["handler"]["path"], call["handler"]["line"]) == (symbol, "net/socket.c",
                                                                                              line)
    listed = json.loads(run_xref("syscall", "--list", "--arch", arch, "--json", "--db", str(linux_ts_db),
                                 check=True).stdout)
    numbers = {int(n) for n in re.findall(r"^#define __NR(?:3264)?_\w+\s+(\d+)", header.read_text(), re.M)}
    assert len(listed) > 280 and {c["row"]["number"] for c in listed} <= numbers
    implemented = [c for c in listed if c["handler"]["status"] == "implemented"]
    assert len(implemented) > 250
    if arch == "arm64":  # `#define __arm64_sys_personality __arm64_sys_arm64_personality` before the table
        [personality] = [c for c in listed if c["row"]["name"] == "personality"]
        assert (personality["handler"]["symbol"], personality["handler"]["path"]) == \
            ("__arm64_sys_arm64_personality", "arch/arm64/kernel/sys.c")
    [chain] = json.loads(run_xref("path", "sendto", "--arch", arch, "--to", "__sys_sendto", "--json", "--db",
                                  str(linux_ts_db), check=True).stdout)["chains"][:1]
    assert [h["symbol"] for h in chain][1:] == [symbol, "__se_sys_sendto", "__do_sys_sendto", "__sys_sendto"], chain
