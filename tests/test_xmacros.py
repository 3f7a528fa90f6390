"""X-macro lists: a file defines a macro, then includes a header that is a list of its uses."""

from __future__ import annotations

import json

from indexer import xmacros
from indexer.cparse import extract_c
from tests.conftest import indexed_copy, run_xref
from xref.model.callgraph import CallGraph


def _tree(tmp_path, files: dict[str, str]) -> str:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    xmacros._read_header.cache_clear()
    return str(tmp_path)


LIST = "OP(add, +)\nOP(sub, -)\n#ifdef CONFIG_MUL\nOP(mul, *)\n#endif\n"


def test_the_include_line_becomes_the_expansions_and_the_other_lines_keep_their_numbers(tmp_path):
    root = _tree(tmp_path, {"include/ops.h": LIST})
    source = b"#define OP(name, sign) int op_##name(int a, int b) { return a sign b; }\n" \
             b"#include <ops.h>\n#undef OP\nint after(void);\n"
    spliced, made, headers = xmacros.splice(source, "lib/ops.c", root)
    assert spliced.count(b"\n") == source.count(b"\n") and spliced.endswith(b"#undef OP\nint after(void);\n")
    assert headers == ["include/ops.h"] and list(made) == [2] and made[2] == "OP (lib/ops.c:1) via include/ops.h:1"
    functions = {(d.name, d.line) for d in extract_c(spliced).definitions if d.kind == "function"}
    assert functions == {("op_add", 2), ("op_sub", 2), ("op_mul", 2)}  # every branch: no configuration here


def test_only_the_including_file_s_macros_in_effect_expand(tmp_path):
    root = _tree(tmp_path, {"include/ops.h": LIST, "include/own.h": "#define OP(n, s) n\nOP(x, y)\n",
                            "include/decl.h": "static inline int\nOP(int a, int b)\n{\n\treturn a;\n}\n"})
    define = b"#define OP(name, sign) int op_##name;\n"
    assert xmacros.splice(define + b"#undef OP\n#include <ops.h>\n", "a.c", root)[1] == {}  # undefined first
    assert xmacros.splice(b"#include <ops.h>\n" + define, "a.c", root)[1] == {}  # defined after
    assert xmacros.splice(define + b"#include <own.h>\n", "a.c", root)[1] == {}  # the header's own OP
    assert xmacros.splice(define + b"#include <decl.h>\n", "a.c", root)[1] == {}  # a function named OP
    assert xmacros.splice(define + b"#include \"missing.h\"\n", "a.c", root)[1] == {}


def test_a_macro_made_hook_list_gives_definitions_members_and_registrations(corpus_db):
    [made] = json.loads(run_xref("def", "bpf_lsm_socket_sendmsg", "--json", "--db", str(corpus_db),
                                 check=True).stdout)
    assert made["path"] == "kernel/bpf/bpf_lsm.c" and made["kind"] == "function"
    assert made["macro"].startswith("LSM_HOOK (kernel/bpf/bpf_lsm.c:")
    assert "include/linux/lsm_hook_defs.h" in made["macro"]
    members = json.loads(run_xref("def", "socket_recvmsg", "--json", "--db", str(corpus_db), check=True).stdout)
    assert {(m["path"], m.get("scope")) for m in members if m["kind"] == "member"} >= {
        ("include/linux/lsm_hooks.h", "security_list_options")}
    human = run_xref("def", "bpf_lsm_file_permission", "--db", str(corpus_db), check=True).stdout
    assert "[made by LSM_HOOK" in human
    includes = json.loads(run_xref("regs", "bpf_lsm_socket_sendmsg", "--json", "--db", str(corpus_db),
                                   check=True).stdout)
    assert {(r["path"], r["struct"], r["field"]) for r in includes} >= {
        ("security/bpf/hooks.c", "security_list_options", "socket_sendmsg")}


def test_the_security_hook_calls_every_function_the_list_registers(corpus_index):
    graph = CallGraph(corpus_index, "x86_64", corpus_index.tree_id("linux"))
    assert "bpf_lsm_socket_sendmsg" in {edge.callee for edge in graph.forward(["security_socket_sendmsg"])}
    # The list's include is still an include of the file that expands it.
    rows = corpus_index.conn.execute("SELECT i.target FROM includes i JOIN files f ON f.id = i.file_id "
                                     "WHERE f.path = 'kernel/bpf/bpf_lsm.c'").fetchall()
    assert ("linux/lsm_hook_defs.h",) in rows


def test_a_changed_list_changes_the_facts_of_the_files_expanding_it(tmp_path):
    tree, db = indexed_copy(tmp_path)
    assert run_xref("def", "bpf_lsm_socket_create", "--db", str(db)).returncode == 1
    with open(tree / "include/linux/lsm_hook_defs.h", "a") as fh:
        fh.write("LSM_HOOK(int, 0, socket_create, int family, int type, int protocol, int kern)\n")
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True)
    [made] = json.loads(run_xref("def", "bpf_lsm_socket_create", "--json", "--db", str(db), check=True).stdout)
    assert made["path"] == "kernel/bpf/bpf_lsm.c"
    regs = json.loads(run_xref("regs", "bpf_lsm_socket_create", "--json", "--db", str(db), check=True).stdout)
    assert [r["path"] for r in regs] == ["security/bpf/hooks.c"]
