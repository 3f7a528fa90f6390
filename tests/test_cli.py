"""The command line's contract: help, version, finding the index, errors in one sentence."""

from __future__ import annotations

import json

from tests.conftest import run_xref


def test_help_lists_every_command():
    out = run_xref("--help", check=True).stdout
    for command in ("index", "def", "refs", "callers", "callees", "regs", "search", "stats", "corpus"):
        assert f"  {command}" in out


def test_version_prints_the_package_version():
    from xref import __version__

    assert run_xref("--version", check=True).stdout.strip().endswith(__version__)


def test_no_index_is_one_sentence_and_exit_2(tmp_path):
    proc = run_xref("def", "sock_sendmsg", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "xref index" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_symbol_exits_1_with_a_message(corpus_db):
    proc = run_xref("def", "no_such_symbol_anywhere", "--db", str(corpus_db))
    assert proc.returncode == 1
    assert "no definition" in proc.stderr and proc.stdout == ""


def test_db_is_accepted_before_and_after_the_command(corpus_db):
    before = run_xref("--db", str(corpus_db), "def", "inet_bind", check=True).stdout
    after = run_xref("def", "inet_bind", "--db", str(corpus_db), check=True).stdout
    assert before == after and "net/ipv4/af_inet.c" in before


def test_xref_db_environment_variable_finds_the_index(corpus_db, tmp_path):
    proc = run_xref("def", "inet_bind", cwd=tmp_path, env={"XREF_DB": str(corpus_db)}, check=True)
    assert "af_inet.c" in proc.stdout


def test_index_is_found_upward_from_a_subdirectory(tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub" / "deep").mkdir(parents=True)
    (tree / "sub" / "f.c").write_text("int helper(void) { return 1; }\nint main(void) { return helper(); }\n")
    run_xref("index", "--no-semantic", str(tree), check=True)
    proc = run_xref("callers", "helper", cwd=tree / "sub" / "deep", check=True)
    assert proc.stdout.startswith("sub/f.c:2: call  main -> helper")


def test_json_hits_carry_name_kind_tree_path_line(corpus_db):
    hits = json.loads(run_xref("def", "udp_sendmsg", "--json", "--db", str(corpus_db), check=True).stdout)
    function = [h for h in hits if h["kind"] == "function"]
    assert function == [dict(function[0], name="udp_sendmsg", kind="function", tree="linux",
                             path="net/ipv4/udp.c", line=18)]


def test_index_of_a_missing_directory_is_one_sentence(tmp_path):
    proc = run_xref("index", "--no-semantic", str(tmp_path / "nope"), "--db", str(tmp_path / "db"))
    assert proc.returncode == 2 and proc.stderr.strip() == f"xref: {tmp_path / 'nope'} is not a directory."


def test_regs_needs_a_symbol_or_a_field(corpus_db):
    proc = run_xref("regs", "--db", str(corpus_db))
    assert proc.returncode == 2 and "either SYMBOL or --field" in proc.stderr


def test_stats_says_where_each_trees_facts_come_from(corpus_db, semantic_db):
    import re

    plain = run_xref("stats", "--db", str(corpus_db), check=True).stdout
    assert re.search(r"^linux: definitions [\d,]+ macro stage, [\d,]+ tree-sitter; .*; \d+ \.c files built by "
                     r"\S+/\.config; 0 units parsed", plain, re.M), plain
    assert re.search(r"^glibc: .*what it builds is not known", plain, re.M), plain
    configured = json.loads(run_xref("stats", "--json", "--db", str(semantic_db), check=True).stdout)
    assert configured["layers"]["linux"]["definitions"]["clang"] > 0 and configured["layers"]["linux"]["units"] > 0
