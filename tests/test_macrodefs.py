"""Definitions that macros generate, found by expanding every file-scope invocation (no configuration)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from indexer.cparse import extract_c
from tests.conftest import indexed_copy, run_xref
from xref.conditions import evaluate
from xref.corpus import BUNDLED

CLANG = shutil.which("clang")
_SITE = re.compile(r"^((?:COMPAT_)?SYSCALL_DEFINE\d)\((\w+)", re.M)


def _defs(name: str, db: Path) -> list[dict]:
    return json.loads(run_xref("def", name, "--json", "--db", str(db), check=True).stdout)


def _sites() -> list[tuple[str, int, str, str]]:
    """(path, line, macro, syscall name) of every SYSCALL_DEFINEn site of the bundled kernel."""
    sites = []
    for path in sorted((BUNDLED / "linux").rglob("*.c")):
        text = path.read_text()
        for match in _SITE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            sites.append((str(path.relative_to(BUNDLED / "linux")), line, match.group(1), match.group(2)))
    return sites


@pytest.mark.parametrize("rel,line,macro,name", _sites())
def test_every_syscall_define_site_defines_its_handler(corpus_db, rel, line, macro, name):
    prefix = "__do_compat_sys_" if macro.startswith("COMPAT") else "__do_sys_"
    hits = [h for h in _defs(prefix + name, corpus_db) if h["source"] == "macro"]
    # Every site defining it (arch/arm64/kernel/sys.c has its own getpid beside kernel/sys.c's).
    sites = [(r, n, "function") for r, n, m, s in _sites() if s == name and m == macro]
    assert sorted((h["path"], h["line"], h["kind"]) for h in hits) == sorted(sites)
    [hit] = [h for h in hits if (h["path"], h["line"]) == (rel, line)]
    assert hit["macro"].startswith(f"{macro} (")


def _macro_names(db: Path, rel: str) -> dict[int, set[str]]:
    conn = sqlite3.connect(next(db.glob("gen-*")) / "facts.sqlite")
    found: dict[int, set[str]] = {}
    for name, line, source in conn.execute(
            "SELECT d.name, d.line, d.source FROM defs d JOIN files f ON f.id = d.file_id "
            "WHERE f.path = ? AND d.macro != ''", (rel,)):
        found.setdefault(line, set()).add((name, source))
    return found


def test_expansion_finds_every_name_the_compiler_defines(corpus_db, semantic_db):
    # The semantic pass saw what clang's preprocessor made of each invocation with the corpus
    # configuration; the macro stage, with no configuration, must find at least those names.
    for rel in ("net/socket.c", "net/compat.c", "fs/read_write.c", "kernel/sys.c"):
        by_clang = _macro_names(semantic_db, rel)
        by_expansion = _macro_names(corpus_db, rel)
        assert by_clang, rel
        for line, names in by_clang.items():
            compiled = {n for n, source in names if source == "clang"}
            expanded = {n for n, source in by_expansion.get(line, ()) if source == "macro"}
            assert compiled <= expanded, (rel, line, compiled - expanded)


def test_every_candidate_definition_contributes_its_names(corpus_db):
    # Without a configuration, both the generic __SYSCALL_DEFINEx and the x86 one may be in effect.
    line = next(s[1] for s in _sites() if s[3] == "sendto")
    generic = [h for h in _defs("sys_sendto", corpus_db) if h["source"] == "macro"]
    assert [(h["path"], h["line"], h["kind"]) for h in generic] == [("net/socket.c", line, "alias")]
    assert "__SYSCALL_DEFINEx (include/linux/syscalls.h:" in generic[0]["macro"]
    x86 = [h for h in _defs("__x64_sys_sendto", corpus_db) if h["path"] == "net/socket.c"]
    assert "__SYSCALL_DEFINEx (arch/x86/include/asm/syscall_wrapper.h:" in x86[0]["macro"]


def _callees(name: str, db: Path) -> set[tuple[str, str]]:
    proc = run_xref("callees", name, "--json", "--db", str(db), check=True)
    return {(h["callee"], h["source"]) for h in json.loads(proc.stdout)}


def test_the_generated_wrappers_call_each_other_down_to_the_body(corpus_db):
    # x86: __x64_sys_sendto -> __se_sys_sendto -> __do_sys_sendto, whose body is the block after
    # the invocation (the parser's calls in it belong to __do_sys_sendto).
    assert ("__se_sys_sendto", "macro") in _callees("__x64_sys_sendto", corpus_db)
    assert ("__do_sys_sendto", "macro") in _callees("__se_sys_sendto", corpus_db)
    body = _callees("__do_sys_sendto", corpus_db)
    assert ("__sys_sendto", "ts") in body
    assert not any(callee.startswith("SYSCALL_DEFINE") for callee, _ in body)


def test_a_cond_syscall_stub_calls_sys_ni_syscall(corpus_db):
    stubs = json.loads(run_xref("callees", "__x64_sys_sendto", "--json", "--db", str(corpus_db), check=True).stdout)
    assert ("kernel/sys_ni.c", "sys_ni_syscall") in {(h["path"], h["callee"]) for h in stubs}


def test_glibc_weak_alias_defines_the_public_name(corpus_db):
    path = BUNDLED / "glibc/sysdeps/unix/sysv/linux/sendto.c"
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1)
                if text.startswith("weak_alias (__libc_sendto, sendto)"))
    hits = [h for h in _defs("sendto", corpus_db) if h["kind"] == "alias"]
    assert ("sysdeps/unix/sysv/linux/sendto.c", line) in {(h["path"], h["line"]) for h in hits}
    hit = next(h for h in hits if h["path"] == "sysdeps/unix/sysv/linux/sendto.c")
    assert hit["source"] == "macro"
    assert hit["macro"].startswith("weak_alias (include/libc-symbols.h:")


def test_a_place_the_parser_also_read_is_listed_once(corpus_db):
    hits = [h for h in _defs("net_family_lock", corpus_db)]
    assert [(h["path"], h["kind"], h["source"]) for h in hits] == [("net/socket.c", "variable", "macro")]
    assert hits[0]["macro"].startswith("DEFINE_MUTEX (")


def test_names_only_macros_define_are_searchable(corpus_db):
    proc = run_xref("search", "__do_sys_sendt", "--db", str(corpus_db), check=True)
    assert "__do_sys_sendto" in proc.stdout


def test_reindexing_a_changed_file_derives_its_definitions_again(tmp_path):
    tree, db = indexed_copy(tmp_path)
    assert run_xref("def", "__do_sys_sendmmsg", "--db", str(db)).returncode == 1
    with open(tree / "net/socket.c", "a") as fh:
        fh.write("\nSYSCALL_DEFINE4(sendmmsg, int, fd, void __user *, mmsg, unsigned int, vlen,\n"
                 "\t\tunsigned int, flags)\n{\n\treturn 0;\n}\n")
    again = run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True).stdout
    assert [h["source"] for h in _defs("__do_sys_sendmmsg", db)] == ["macro"]
    assert [h["source"] for h in _defs("__do_sys_sendto", db)] == ["macro"]  # the others are still there
    fresh = run_xref("index", "--no-semantic", str(tree), "--db", str(tmp_path / "fresh"), check=True).stdout
    by_macros = re.compile(r"(\d+) definitions \((\d+) by macros in ")
    assert by_macros.search(again).groups() == by_macros.search(fresh).groups()


# -- #if conditions ---------------------------------------------------------------------------

def test_define_lines_carry_their_conditions_but_not_the_include_guard():
    source = (b"#ifndef _GUARD_H\n#define _GUARD_H\n#define PLAIN 1\n#ifdef CONFIG_A\n#define A 1\n"
              b"#elif defined(CONFIG_B) && CONFIG_N > 2\n#define B 1\n#else\n#define C 1\n#endif\n"
              b"#if 0\n#ifndef X\n#define D 1\n#endif\n#endif\n#endif\n")
    conditions = {d.name: d.scope for d in extract_c(source).definitions}
    assert conditions["_GUARD_H"] == "" and conditions["PLAIN"] == ""
    assert conditions["A"] == "defined(CONFIG_A)"
    assert conditions["B"] == "!defined(CONFIG_A) && (defined(CONFIG_B) && CONFIG_N > 2)"
    assert conditions["C"] == "!defined(CONFIG_A) && !(defined(CONFIG_B) && CONFIG_N > 2)"
    assert conditions["D"] == "(0) && !defined(X)"


CONFIG = {"CONFIG_Y": "y", "CONFIG_M": "m", "CONFIG_N": "16", "CONFIG_S": '"text"'}
CONDITIONS = [  # (condition, whether the configuration decides it)
    ("defined(CONFIG_Y)", True), ("defined CONFIG_M", True), ("defined(CONFIG_M_MODULE)", True),
    ("defined(CONFIG_ABSENT)", True), ("CONFIG_N > 8 && CONFIG_Y", True), ("CONFIG_N * 2 == 32", True),
    ("!CONFIG_ABSENT || UNKNOWN", True), ("UNKNOWN && 0", True), ("(CONFIG_N >> 2) - 4 ? 1 : UNKNOWN", False),
    ("CONFIG_Y ? CONFIG_N % 5 : 0", True), ("UNKNOWN", False), ("defined(UNKNOWN) || CONFIG_ABSENT", False),
    ("IS_ENABLED(CONFIG_M)", True), ("IS_BUILTIN(CONFIG_M)", True), ("IS_MODULE(CONFIG_Y)", True),
    ("IS_ENABLED(CONFIG_ABSENT) && UNKNOWN", True), ("-1 < 0 && ~0 == -1", True),
]
KCONFIG_H = """#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
#define IS_BUILTIN(option) __is_defined(option)
#define IS_MODULE(option) __is_defined(option##_MODULE)
#define IS_ENABLED(option) __or(IS_BUILTIN(option), IS_MODULE(option))
#define __or(x, y) ___or(x, y)
#define ___or(x, y) ____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y) __take_second_arg(arg1_or_junk 1, y)
"""


def _clang_says(condition: str, defines: list[str]) -> bool:
    source = KCONFIG_H + f"#if {condition}\nyes\n#else\nno\n#endif\n"
    proc = subprocess.run([CLANG, "-E", "-P", *defines, "-x", "c", "-"], input=source, capture_output=True,
                          text=True, check=True)
    return proc.stdout.split()[-1] == "yes"


@pytest.mark.skipif(CLANG is None, reason="clang is the oracle")
@pytest.mark.parametrize("condition,decided", CONDITIONS)
def test_conditions_evaluate_as_the_preprocessor_does(condition, decided):
    value = evaluate(condition, CONFIG)
    assert (value is not None) == decided
    if value is None:
        return
    defines = []
    for name, setting in CONFIG.items():
        if setting == "m":
            defines.append(f"-D{name}_MODULE=1")
        else:
            defines.append(f"-D{name}={1 if setting == 'y' else setting}")
    # UNKNOWN either way: a decided condition must not depend on it.
    assert _clang_says(condition, defines + ["-DUNKNOWN=0"]) == value
    assert _clang_says(condition, defines + ["-DUNKNOWN=1"]) == value


def test_assumed_settings_decide_without_a_whole_configuration():
    assumed = {"CONFIG_IA32_EMULATION": "y"}
    assert evaluate("defined(CONFIG_IA32_EMULATION)", None, assumed) is True
    assert evaluate("!defined(CONFIG_IA32_EMULATION)", None, assumed) is False
    assert evaluate("defined(CONFIG_OTHER)", None, assumed) is None  # not a .config: others stay unknown
    assert evaluate("defined(CONFIG_OTHER)", {}, assumed) is False


def test_without_a_configuration_only_what_c_fixes_is_decided():
    assert evaluate("defined(CONFIG_Y)") is None
    assert evaluate("0 && CONFIG_Y") is False
    assert evaluate("!defined(__ASSEMBLY__)") is True


def _tree_with_two_definitions(root: Path) -> None:
    (root / "include").mkdir(parents=True)
    (root / "include/choice.h").write_text(
        "#ifdef CONFIG_FAST\n#define PICK(x) fast_##x\n#else\n#define PICK(x) slow_##x\n#endif\n"
        "#if 0\n#define PICK(x) never_##x\n#endif\n")
    (root / "user.c").write_text('#include "include/choice.h"\nint PICK(path)(void);\n')


def test_the_configuration_chooses_between_definitions(tmp_path):
    tree = tmp_path / "tree"
    _tree_with_two_definitions(tree)
    (tree / ".config").write_text("CONFIG_FAST=y\n")
    run_xref("index", "--no-semantic", str(tree), "--db", str(tmp_path / "db"), check=True)
    proc = run_xref("expand", "--text", "PICK(path)", "--file", "user.c", "--json", "--db", str(tmp_path / "db"),
                    check=True)
    result = json.loads(proc.stdout)
    assert result["final"] == "fast_path"
    assert result["candidates"] == {}  # the #else branch is false under this configuration


def test_without_a_configuration_the_candidates_are_listed(tmp_path):
    tree = tmp_path / "tree"
    _tree_with_two_definitions(tree)
    run_xref("index", "--no-semantic", str(tree), "--db", str(tmp_path / "db"), check=True)
    proc = run_xref("expand", "--text", "PICK(path)", "--file", "user.c", "--json", "--db", str(tmp_path / "db"),
                    check=True)
    result = json.loads(proc.stdout)
    assert result["final"] in ("fast_path", "slow_path")
    # The other branch is a candidate; the `#if 0` one never is.
    assert [c.rsplit(":", 1)[0] for c in result["candidates"]["PICK"]] == ["include/choice.h"]


def test_lines_are_counted_as_the_parser_counts_them_past_a_form_feed(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "defs.h").write_text("/* page one */\n\f\n#define FIRST(x) first_##x\n#define SECOND(x) second_##x\n")
    (tree / "use.c").write_text('#include "defs.h"\nSECOND(thing);\n')
    run_xref("index", "--no-semantic", str(tree), "--db", str(tmp_path / "db"), check=True)
    proc = run_xref("expand", "use.c:2", "--final", "--db", str(tmp_path / "db"), check=True)
    assert proc.stdout.split() == ["second_thing;"] or proc.stdout.split() == ["second_thing"]


def test_a_weak_stub_comes_after_the_real_definition(corpus_db):
    # COND_SYSCALL's __weak stub is a fallback: the SYSCALL_DEFINE6 handler is listed first.
    hits = _defs("__x64_sys_sendto", corpus_db)
    assert [(h["path"], h.get("weak", False)) for h in hits] == [("net/socket.c", False), ("kernel/sys_ni.c", True)]
