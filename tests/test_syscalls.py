"""`xref syscall`: table rows, the dispatcher found by expansion, and the handler's SYSCALL_DEFINE site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_xref
from xref.corpus import BUNDLED

LINUX = BUNDLED / "linux"


def table(path: Path) -> list[tuple[int, str, str, str, str]]:
    """(number, abi, name, entry, compat) of every row, read by the test itself."""
    rows = []
    for line in path.read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 3:
            rows.append((int(fields[0]), fields[1], fields[2], *(fields[3:5] + ["", ""])[:2]))
    return rows


def define_sites(root: Path) -> dict[str, tuple[str, int, str]]:
    """The test's own oracle: `(COMPAT_)SYSCALL_DEFINEn(name` sites by the name of the entry point."""
    sites = {}
    for path in root.rglob("*.c"):
        for number, text in enumerate(path.read_text().splitlines(), 1):
            match = re.match(r"((COMPAT_)?SYSCALL_DEFINE\d)\((\w+)", text)
            if match:
                entry = ("compat_sys_" if match.group(2) else "sys_") + match.group(3)
                sites[entry] = (str(path.relative_to(root)), number, match.group(1))
    return sites


def syscall_json(db: Path, *args: str):
    return json.loads(run_xref("syscall", *args, "--json", "--db", str(db), check=True).stdout)


@pytest.fixture(scope="module")
def linux_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("syscalls") / "db"
    run_xref("index", "--no-semantic", str(LINUX), "--db", str(db), check=True)
    return db


def test_the_list_agrees_with_the_table_and_names_every_define_site(linux_db):
    rows = [r for r in table(LINUX / "arch/x86/entry/syscalls/syscall_64.tbl") if r[1] in ("common", "64")]
    listed = syscall_json(linux_db, "--list")
    assert [(c["row"]["number"], c["row"]["name"], c["row"]["entry"]) for c in listed] == \
        [(nr, name, entry) for nr, _, name, entry, _ in rows]
    sites = define_sites(LINUX)
    for call in listed:
        entry, handler = call["row"]["entry"], call["handler"]
        if entry in sites:
            assert (handler["status"], handler["path"], handler["line"], handler["macro"]) == \
                ("implemented", *sites[entry]), entry
        elif entry:
            assert handler["status"] == "not built", entry
        else:
            assert handler["status"] == "not implemented", call["row"]["name"]


def test_x86_64_dispatch_is_the_switch_in_x64_sys_call(linux_db):
    call = syscall_json(linux_db, "sendto")
    assert call["dispatch"]["form"] == "switch"
    assert call["dispatch"]["via"] == "x64_sys_call"
    assert call["dispatch"]["text"] == "case 44: return __x64_sys_sendto(regs);"
    assert call["handler"]["symbol"] == "__x64_sys_sendto"


def test_i386_dispatch_is_a_table_and_the_compat_entry_wins(linux_db):
    call = syscall_json(linux_db, "--abi", "i386", "102")
    assert (call["row"]["name"], call["dispatch"]["form"], call["dispatch"]["via"]) == \
        ("socketcall", "table", "ia32_sys_call_table")
    assert call["handler"]["symbol"] == "__ia32_compat_sys_socketcall"
    assert (call["handler"]["path"], call["handler"]["macro"]) == ("net/compat.c", "COMPAT_SYSCALL_DEFINE2")


def test_every_instruction_into_a_table_and_where_it_lands(linux_db):
    # i386 code enters through int $0x80 and, from the vDSO, sysenter or syscall; the bundled
    # kernel sets the first two (and has no 32-bit syscall entry).
    entries = [(e["instruction"], e["via"], e["symbol"], e["where"].split(":")[0])
               for e in syscall_json(linux_db, "--abi", "i386", "sendto")["entries"]]
    assert entries == [
        ("int $0x80", "IA32_SYSCALL_VECTOR", "entry_INT80_compat", "arch/x86/kernel/cpu.c"),
        ("sysenter", "MSR_IA32_SYSENTER_EIP", "entry_SYSENTER_compat", "arch/x86/kernel/cpu.c"),
        ("syscall", "MSR_CSTAR", "", "")]
    out = run_xref("syscall", "--abi", "i386", "sendto", "--db", str(linux_db), check=True).stdout
    assert "instruction  syscall -> not found (MSR_CSTAR)" in out


def test_a_syscall_with_only_the_cond_syscall_stub_is_not_built(linux_db):
    call = syscall_json(linux_db, "kexec_load")
    assert call["handler"]["status"] == "not built"
    assert call["handler"]["stub"].startswith("kernel/sys_ni.c:")
    out = run_xref("syscall", "kexec_load", "--db", str(linux_db), check=True).stdout
    assert "not built: only the COND_SYSCALL stub (kernel/sys_ni.c:" in out


def test_a_reserved_row_is_not_implemented(linux_db):
    assert syscall_json(linux_db, "afs_syscall")["handler"]["status"] == "not implemented"


def test_the_configuration_says_what_is_not_compiled(semantic_db):
    out = run_xref("syscall", "quotactl", "--db", str(semantic_db), check=True).stdout
    assert "fs/quota.c:" in out and "not compiled under the configuration" in out
    out = run_xref("syscall", "sendto", "--db", str(semantic_db), check=True).stdout
    assert "[clang]" in out and "not compiled" not in out


@pytest.mark.parametrize("args,message", [
    (["nosuch"], "no system call 'nosuch' in arch/x86/entry/syscalls/syscall_64.tbl"),
    (["read", "--arch", "mips"], "no ABI is described for architecture mips"),
    (["read", "--arch", "arm64"], "include/uapi/asm-generic/unistd.h is not in the index"),
    (["read", "--abi", "mips"], "x86_64 has no ABI 'mips'"),
])
def test_unknown_calls_and_abis_get_one_line(linux_db, args, message):
    proc = run_xref("syscall", *args, "--db", str(linux_db))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and message in proc.stderr


def test_the_configuration_s_makefiles_say_what_is_built_without_a_compiler(tmp_path):
    # No semantic pass: kbuild's Makefiles read with the tree's .config say fs/quota.c is not
    # built (CONFIG_QUOTACTL unset) ...
    db = tmp_path / "db"
    cache = {"XREF_CACHE": str(tmp_path / "cache")}
    run_xref("index", "--no-semantic", str(LINUX), "--db", str(db), env=cache, check=True)
    out = run_xref("syscall", "quotactl", "--db", str(db), check=True).stdout
    assert "fs/quota.c:" in out and "not compiled under the configuration" in out
    assert "not compiled" not in run_xref("syscall", "sendto", "--db", str(db), check=True).stdout
    # ... and where no configuration can be had, nothing is called not built.
    import shutil

    bare = tmp_path / "bare"
    shutil.copytree(LINUX, bare)
    (bare / ".config").unlink()
    proc = run_xref("index", "--no-semantic", str(bare), "--db", str(tmp_path / "bare-db"), env=cache, check=True)
    assert "every file is taken as built" in proc.stderr
    out = run_xref("syscall", "quotactl", "--db", str(tmp_path / "bare-db"), check=True).stdout
    assert "fs/quota.c:" in out and "not compiled" not in out


def test_outside_the_parsed_directories_the_makefiles_still_say_what_is_built(tmp_path, semantic_env):
    # `--only net`: fs/quota.c was not parsed, but the configuration's Makefiles leave it out.
    db = tmp_path / "db"
    run_xref("index", str(LINUX), "--db", str(db), "--semantic", "--only", "net", env=semantic_env, check=True)
    out = run_xref("syscall", "quotactl", "--db", str(db), check=True).stdout
    assert "fs/quota.c:" in out and "not compiled under the configuration" in out
