"""The libclang pass on the bundled corpus: what the configuration compiles, as the compiler sees it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_xref
from xref.corpus import BUNDLED


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _json(*args: str, db: Path) -> list[dict]:
    proc = run_xref(*args, "--json", "--db", str(db), check=True)
    return json.loads(proc.stdout)


def test_syscall_define_generates_the_handler_chain_at_the_macro_line(semantic_db):
    line = _line_of(BUNDLED / "linux/net/socket.c", "SYSCALL_DEFINE6(sendto")
    for name in ("__x64_sys_sendto", "__ia32_sys_sendto", "__se_sys_sendto", "__do_sys_sendto"):
        hits = _json("def", name, db=semantic_db)
        places = {(h["path"], h["line"], h["source"], h["macro"]) for h in hits}
        assert ("net/socket.c", line, "clang", "SYSCALL_DEFINE6") in places, name
        # Besides it, only the weak stub kernel/sys_ni.c declares for when it is not built.
        assert {p[0] for p in places} <= {"net/socket.c", "kernel/sys_ni.c"}


def test_wrapper_calls_follow_the_generated_chain(semantic_db):
    callees = {h["callee"] for h in _json("callees", "__x64_sys_sendto", db=semantic_db)}
    assert "__se_sys_sendto" in callees
    callees = {h["callee"] for h in _json("callees", "__do_sys_sendto", db=semantic_db)}
    assert "__sys_sendto" in callees


def test_calls_inside_indirect_call_macro_are_recorded(semantic_db):
    hits = _json("callees", "sock_sendmsg_nosec", db=semantic_db)
    direct = {h["callee"] for h in hits if h["how"] == "direct" and h["source"] == "clang"}
    assert {"inet_sendmsg", "inet6_sendmsg"} <= direct
    indirect = [h for h in hits if h["how"].startswith("indirect")]
    assert [(h["struct"], h["field"]) for h in indirect] == [("proto_ops", "sendmsg")]


@pytest.mark.parametrize("function, struct, field", [
    ("inet_sendmsg", "proto", "sendmsg"),
    ("dst_output", "dst_entry", "output"),  # a static inline in a header
    ("__sys_bind", "proto_ops", "bind"),
])
def test_each_call_through_a_pointer_names_its_struct_and_field(semantic_db, function, struct, field):
    hits = [h for h in _json("callees", function, db=semantic_db) if h["how"].startswith("indirect via struct")]
    assert (struct, field) in {(h["struct"], h["field"]) for h in hits}
    assert all(h["source"] == "clang" for h in hits)


def test_every_field_call_in_compiled_code_has_a_struct(semantic_db):
    gen = next(semantic_db.glob("gen-*"))
    conn = sqlite3.connect(gen / "facts.sqlite")
    missing = conn.execute("SELECT caller, callee FROM calls WHERE source = 'clang' AND how = 'field' "
                           "AND struct = ''").fetchall()
    total = conn.execute("SELECT count(*) FROM calls WHERE source = 'clang' AND how = 'field'").fetchone()[0]
    assert total >= 5 and missing == []


def test_registrations_carry_resolved_struct_types(semantic_db):
    hits = _json("regs", "udp_sendmsg", db=semantic_db)
    assert ("proto", "sendmsg", "initializer", "clang") in {(h["struct"], h["field"], h["how"], h["source"])
                                                             for h in hits}
    callers = {(h["caller"], h["how"]) for h in _json("callers", "udp_sendmsg", db=semantic_db)}
    assert ("inet_sendmsg", "indirect via struct proto.sendmsg") in callers


def test_configuration_decides_which_driver_is_compiled(semantic_db):
    gen = next(semantic_db.glob("gen-*"))
    conn = sqlite3.connect(gen / "facts.sqlite")
    units = {row[0] for row in conn.execute("SELECT f.path FROM tus JOIN files f ON f.id = tus.file_id")}
    assert "drivers/net/loopback.c" in units
    assert not [u for u in units if "quill" in u]  # CONFIG_QUILL is not set
    assert "fs/quota.c" not in units  # CONFIG_QUOTACTL is not set


def test_unbuilt_driver_keeps_tree_sitter_facts(semantic_db):
    driver = next((BUNDLED / "linux/drivers/net/ethernet/quill").glob("*.c"))
    gen = next(semantic_db.glob("gen-*"))
    conn = sqlite3.connect(gen / "facts.sqlite")
    sources = {row[0] for row in conn.execute(
        "SELECT DISTINCT d.source FROM defs d JOIN files f ON f.id = d.file_id WHERE f.path = ?",
        (str(driver.relative_to(BUNDLED / "linux")),))}
    assert sources == {"ts"}


def test_rerun_with_nothing_changed_parses_nothing(semantic_db, semantic_env):
    gen = next(semantic_db.glob("gen-*"))
    units = sqlite3.connect(gen / "facts.sqlite").execute("SELECT count(*) FROM tus").fetchone()[0]
    proc = run_xref("index", str(BUNDLED / "linux"), str(BUNDLED / "glibc"), "--db", str(semantic_db),
                    "--semantic", env=semantic_env, check=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("semantic pass:")]
    assert len(lines) == 2 and all("(0 parsed, " in line for line in lines), proc.stdout
    assert sum(int(line.split()[2]) for line in lines) == units


def test_touching_a_file_reparses_only_the_units_that_read_it(tmp_path, semantic_env):
    tree = tmp_path / "linux"
    shutil.copytree(BUNDLED / "linux", tree)
    db = tmp_path / "db"
    env = {"XREF_CACHE": str(tmp_path / "cache")}
    first = run_xref("index", str(tree), "--db", str(db), "--semantic", env=env, check=True).stdout
    units = int(first.split("semantic pass: ")[1].split()[0])
    source = tree / "net/ipv4/udp.c"
    source.write_text(source.read_text() + "\n/* touched */\n")
    again = run_xref("index", str(tree), "--db", str(db), "--semantic", env=env, check=True).stdout
    assert f"(1 parsed, {units - 1} unchanged" in again, again
    header = tree / "include/net/dst.h"
    header.write_text(header.read_text() + "\n/* touched */\n")
    readers = sum(1 for c in tree.rglob("*.c") if _includes(c, tree, "net/dst.h"))
    third = run_xref("index", str(tree), "--db", str(db), "--semantic", env=env, check=True).stdout
    parsed = int(third.split("semantic pass: ")[1].split("(")[1].split()[0])
    assert 0 < parsed < units and parsed >= readers, third
    # dst_output's facts (from the header) survive its readers being parsed again.
    hits = _json("callees", "dst_output", db=db)
    assert ("dst_entry", "output") in {(h.get("struct"), h.get("field")) for h in hits}


def _includes(path: Path, tree: Path, header: str) -> bool:
    return f"<{header}>" in path.read_text()


def test_kconfig_writes_the_configuration(tmp_path):
    build = tmp_path / "build"
    proc = run_xref("kconfig", str(BUNDLED / "linux"), "--arch", "x86_64", "--build", str(build), check=True)
    assert "configured linux for x86_64" in proc.stdout
    autoconf = (build / "include/generated/autoconf.h").read_text()
    assert "#define CONFIG_NET 1" in autoconf and "CONFIG_QUILL" not in autoconf


def test_kconfig_refuses_a_tree_that_is_not_a_kernel(tmp_path):
    proc = run_xref("kconfig", str(BUNDLED / "glibc"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "not a kernel tree" in proc.stderr


def test_semantic_without_flags_says_why_and_keeps_the_index(tmp_path):
    tree = tmp_path / "proj"
    tree.mkdir()
    (tree / "a.c").write_text("int answer(void) { return 42; }\n")
    proc = run_xref("index", str(tree), "--db", str(tmp_path / "db"), "--semantic",
                    env={"XREF_CACHE": str(tmp_path / "cache")})
    assert proc.returncode == 0
    assert "semantic pass skipped for proj" in proc.stderr and "compile_commands.json" in proc.stderr
    assert run_xref("def", "answer", "--db", str(tmp_path / "db")).returncode == 0


def test_glibc_wrapper_is_chosen_by_the_sysdeps_order(semantic_db):
    gen = next(semantic_db.glob("gen-*"))
    conn = sqlite3.connect(gen / "facts.sqlite")
    units = {row[0] for row in conn.execute(
        "SELECT f.path FROM tus JOIN files f ON f.id = tus.file_id JOIN trees t ON t.id = f.tree_id "
        "WHERE t.name = 'glibc'")}
    assert "sysdeps/unix/sysv/linux/sendto.c" in units
    assert "socket/sendto.c" not in units  # the generic stub, overridden by the Linux port


def test_glibc_syscall_cancel_chain_and_weak_alias(semantic_db):
    callees = {(h["callee"], h["source"]) for h in _json("callees", "__libc_sendto", db=semantic_db)}
    assert {("__pthread_enable_asynccancel", "clang"), ("__pthread_disable_asynccancel", "clang")} <= callees
    line = _line_of(BUNDLED / "glibc/sysdeps/unix/sysv/linux/sendto.c", "weak_alias (__libc_sendto, sendto)")
    aliases = [h for h in _json("def", "sendto", db=semantic_db) if h["kind"] == "alias"]
    assert [(h["path"], h["line"], h["macro"]) for h in aliases if h.get("compiled", True)] == \
        [("sysdeps/unix/sysv/linux/sendto.c", line, "weak_alias")]
    # The generic stub's alias, found by the macro stage, is there but not compiled for Linux.
    assert [(h["path"], h["source"]) for h in aliases if h.get("compiled") is False] == \
        [("socket/sendto.c", "macro")]


def test_compile_commands_json_gives_the_flags(tmp_path):
    tree = tmp_path / "proj"
    tree.mkdir()
    (tree / "a.c").write_text("struct ops { int (*run)(int); };\nstatic int go(int x) { return x; }\n"
                              "#ifdef WITH_OPS\nstruct ops table = { .run = go };\n#endif\n"
                              "int main(void) { return table.run(1); }\n")
    (tree / "compile_commands.json").write_text(json.dumps(
        [{"directory": str(tree), "file": "a.c", "command": f"cc -DWITH_OPS -c -o a.o {tree / 'a.c'}"}]))
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), "--semantic", check=True)
    regs = _json("regs", "go", db=db)
    assert [(h["struct"], h["field"], h["source"]) for h in regs] == [("ops", "run", "clang")]
    calls = _json("callees", "main", db=db)
    assert [(h["struct"], h["field"]) for h in calls] == [("ops", "run")]


def test_regions_the_configuration_skips_are_inactive(semantic_db):
    header = BUNDLED / "linux/include/linux/syscalls.h"
    generic = _line_of(header, "#ifndef __SYSCALL_DEFINEx") + 1
    hits = {(h["path"], h["line"]): h for h in _json("def", "__SYSCALL_DEFINEx", db=semantic_db)}
    # The x86 wrapper defines __SYSCALL_DEFINEx first, so every unit skips the generic one.
    assert hits[("include/linux/syscalls.h", generic)]["active"] is False
    arch = [h for (path, _), h in hits.items() if path == "arch/x86/include/asm/syscall_wrapper.h"]
    assert arch and all("active" not in h for h in arch)


def test_active_macro_definitions_are_stored_with_parameters_and_body(semantic_db):
    conn = sqlite3.connect(next(semantic_db.glob("gen-*")) / "facts.sqlite")
    rows = conn.execute("SELECT f.path, m.line, m.params, m.body FROM macros m JOIN files f ON f.id = m.file_id "
                        "WHERE m.name = '__SYSCALL_DEFINEx'").fetchall()
    wrapper = BUNDLED / "linux/arch/x86/include/asm/syscall_wrapper.h"
    line = _line_of(wrapper, "#define __SYSCALL_DEFINEx")
    # Only the x86 wrapper's definition: every unit skipped the generic one.
    assert [(r[0], r[1], r[2]) for r in rows] == [("arch/x86/include/asm/syscall_wrapper.h", line, "(x, name, ...)")]
    assert "__do_sys##name" in rows[0][3].replace(" ", "")


def _slow_unit(tree: Path) -> None:
    """A unit libclang needs seconds for: macros doubling their text twenty times over."""
    doubling = "\n".join(f"#define D{i + 1} D{i} D{i}" for i in range(22))
    (tree / "kernel" / "slow.c").write_text(f"#define D0 1,\n{doubling}\nint slow[] = {{ D22 }};\n")
    makefile = tree / "kernel" / "Makefile"
    makefile.write_text(makefile.read_text() + "obj-y += slow.o\n")


def test_a_unit_over_the_time_limit_fails_with_the_reason_and_the_pass_goes_on(tmp_path):
    tree = tmp_path / "linux"
    shutil.copytree(BUNDLED / "linux", tree)
    _slow_unit(tree)
    db = tmp_path / "db"
    env = {"XREF_CACHE": str(tmp_path / "cache")}
    out = run_xref("index", str(tree), "--db", str(db), "--unit-timeout", "1", env=env, check=True).stdout
    assert "1 with fatal errors or over the time limit" in out, out
    failed = run_xref("stats", "--failed", "--db", str(db), check=True).stdout
    assert failed.strip() == "linux/kernel/slow.c: libclang took over the time limit of 1 s"
    assert run_xref("def", "__do_sys_sendto", "--json", "--db", str(db), check=True).stdout.count('"clang"') == 1
    # Not tried again while the file is unchanged.
    again = run_xref("index", str(tree), "--db", str(db), "--unit-timeout", "1", env=env, check=True).stdout
    assert "(0 parsed, " in again, again


def test_a_killed_semantic_pass_resumes_from_the_units_it_parsed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    tree = tmp_path / "linux"
    shutil.copytree(BUNDLED / "linux", tree)
    _slow_unit(tree)  # the unit the kill comes during
    db = tmp_path / "db"
    env = dict(os.environ, XREF_CACHE=str(tmp_path / "cache"))
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), env={"XREF_CACHE": env["XREF_CACHE"]}, check=True)
    proc = subprocess.Popen([sys.executable, "-m", "xref.cli", "index", str(tree), "--db", str(db), "--jobs", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    kept = next(db.glob("gen-*")) / "semantic-units.sqlite"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if sqlite3.connect(kept).execute("SELECT count(*) FROM outcomes").fetchone()[0] >= 5:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert sqlite3.connect(next(db.glob("gen-*")) / "facts.sqlite").execute("SELECT count(*) FROM tus").fetchone() \
        == (0,)  # nothing half-written in the index itself
    out = run_xref("index", str(tree), "--db", str(db), env={"XREF_CACHE": env["XREF_CACHE"]}, check=True).stdout
    resumed = int(out.split(" parsed, ")[1].split()[0])
    assert resumed >= 5, out
    assert not kept.exists()  # done with once the pass committed
