"""Bad input is skipped and counted, never a traceback; interruptions lose nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, run_xref


def make_tree(root, files):
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def test_binary_large_fifo_and_symlink_loop_are_skipped_and_listed(tmp_path):
    tree = make_tree(tmp_path / "t", {
        "good.c": "int good(void) { return 0; }\n",
        "blob.c": b"\x7fELF\x00\x00\x01binary",
        "huge.h": "#define BIG 1\n" * 5000,
    })
    os.mkfifo(tree / "pipe.c")
    (tree / "loop").symlink_to(tree)  # a directory symlink loop: not followed
    (tree / "outside.c").symlink_to("/etc/hostname")
    proc = run_xref("index", "--no-semantic", str(tree), "--db", str(tmp_path / "db"), "-v",
                    env={"XREF_MAX_FILE_BYTES": "10000"}, check=True)
    skipped = {line.split(":")[0].removeprefix("skipped ") for line in proc.stdout.splitlines()
               if line.startswith("skipped ")}
    assert skipped == {"blob.c", "huge.h", "pipe.c", "outside.c"}
    assert "4 skipped" in proc.stdout
    assert run_xref("def", "good", "--db", str(tmp_path / "db"), check=True).stdout.startswith("good.c:1:")


def test_non_utf8_and_malformed_c_are_indexed_as_far_as_they_parse(tmp_path):
    tree = make_tree(tmp_path / "t", {
        "latin1.c": b"/* auteur: Fran\xe7ois */\nint latin_fn(void) { return 0; }\n",
        "broken.c": "int ok_before(void) { return 1; }\nstruct { int x ;;; ))) {\nint ok_after(void) { return 2; }\n",
    })
    run_xref("index", "--no-semantic", str(tree), "--db", str(tmp_path / "db"), check=True)
    for name in ("latin_fn", "ok_before"):
        assert run_xref("def", name, "--db", str(tmp_path / "db")).returncode == 0, name


def test_a_file_name_that_is_not_utf8_is_indexed_shown_escaped_and_served(tmp_path):
    from web.app import create_app

    tree = make_tree(tmp_path / "t", {"good.c": "int good(void) { return 0; }\n"})
    (tree / os.fsdecode(b"bad\xff\xfename.c")).write_text("int odd_name_fn(void) { return good(); }\n")
    db = tmp_path / "db"
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True)
    found = run_xref("def", "odd_name_fn", "--db", str(db), check=True).stdout
    assert found.startswith("bad\\xff\\xfename.c:1:"), found
    client = create_app(str(db)).test_client()
    page = client.get("/source/t/bad%5Cxff%5Cxfename.c")
    assert page.status_code == 200 and b"odd_name_fn" in page.data
    # and a re-index of the unchanged tree keeps it as it is
    again = run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True).stdout
    assert "0 parsed" in again and "0 removed" in again


def test_a_fifo_that_appears_after_the_tree_was_listed_is_not_opened(tmp_path):
    from indexer import pipeline

    os.mkfifo(tmp_path / "late.c")
    started = time.monotonic()
    *_, rows, reason, _ = pipeline.extract_file(((1, "late.c", str(tmp_path / "late.c"), 0, 0), "", 1))
    assert rows is None and "not a regular file" in reason and time.monotonic() - started < 5


def test_reindex_parses_only_changed_files_and_drops_deleted(tmp_path):
    tree = make_tree(tmp_path / "t", {f"f{i}.c": f"int fn{i}(void) {{ return {i}; }}\n" for i in range(20)})
    db = str(tmp_path / "db")
    run_xref("index", "--no-semantic", str(tree), "--db", db, check=True)
    (tree / "f3.c").write_text("int renamed3(void) { return 3; }\n")
    (tree / "f4.c").unlink()
    os.utime(tree / "f5.c")  # touched, same content: hashed, not parsed
    out = run_xref("index", "--no-semantic", str(tree), "--db", db, check=True).stdout
    assert "(1 parsed, 18 unchanged, 1 removed)" in out
    assert run_xref("def", "fn3", "--db", db).returncode == 1
    assert run_xref("def", "fn4", "--db", db).returncode == 1
    assert run_xref("def", "renamed3", "--db", db).returncode == 0
    assert run_xref("search", "renamed", "--db", db, check=True).stdout.startswith("renamed3")


def _big_tree(root, marker):
    body = "".join(f"static int helper_{j}(int x) {{ return x + {j}; }}\n" for j in range(200))
    files = {f"d{i // 100}/file{i}.c": body + f"int entry_{i}(void) {{ return helper_1(0); }}\n"
             for i in range(1500)}
    files["marker.c"] = f"int {marker}(void) {{ return 0; }}\n"
    return make_tree(root, files)


def _default_sigint():
    # A shell's background job inherits SIGINT ignored, and Python then leaves it ignored;
    # the index must see Ctrl-C as it would from a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_index(tree, db):
    return subprocess.Popen([sys.executable, "-m", "xref.cli", "index", str(tree), "--db", str(db)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)


def _facts_bytes(db):
    return sum(p.stat().st_size for p in db.glob("gen-*/facts.sqlite*") if not p.name.endswith("-shm"))


def _wait_until_writing(db, proc, min_bytes=1 << 20, before=0):
    """Return once the running index has written min_bytes more facts (database or WAL) than `before`."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the index finished before it was interrupted; make the tree bigger"
        if _facts_bytes(db) >= before + min_bytes:
            return
        time.sleep(0.02)
    raise AssertionError("the index wrote nothing for two minutes")


def test_kill_9_during_reindex_leaves_the_previous_index_queryable(tmp_path):
    tree = _big_tree(tmp_path / "t", "old_marker")
    db = tmp_path / "db"
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True)
    (tree / "marker.c").write_text("int new_marker(void) { return 0; }\n")
    for path in list(tree.rglob("file*.c"))[:1200]:
        path.write_text(path.read_text() + "int extra(void) { return 1; }\n")
    before = _facts_bytes(db)
    proc = _start_index(tree, db)
    _wait_until_writing(db, proc, before=before)
    proc.kill()
    proc.wait()
    assert run_xref("def", "old_marker", "--db", str(db)).returncode == 0
    assert run_xref("def", "new_marker", "--db", str(db)).returncode == 1
    # and the next run completes the update
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True)
    assert run_xref("def", "new_marker", "--db", str(db)).returncode == 0


def test_ctrl_c_during_first_index_says_so_and_leaves_no_half_index(tmp_path):
    tree = _big_tree(tmp_path / "t", "marker")
    db = tmp_path / "db"
    proc = _start_index(tree, db)
    _wait_until_writing(db, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip().endswith("the previous index is unchanged.")
    query = run_xref("def", "marker", "--db", str(db))
    assert query.returncode == 2 and "no xref index" in query.stderr


def test_a_second_index_run_on_the_same_directory_is_refused(tmp_path):
    tree = _big_tree(tmp_path / "t", "marker")
    db = tmp_path / "db"
    first = _start_index(tree, db)
    _wait_until_writing(db, first, min_bytes=1)
    second = run_xref("index", "--no-semantic", str(tree), "--db", str(db))
    first.wait(timeout=600)
    assert second.returncode == 2 and "another xref index is running" in second.stderr
    assert first.returncode == 0


def test_reindex_updates_search_for_touched_names_only(tmp_path):
    tree = make_tree(tmp_path / "t", {"a.c": "int FOO_bar(void) { return 0; }\n",
                                      "b.c": "int foo_bar(void) { return 1; }\n"})
    db = str(tmp_path / "db")
    run_xref("index", "--no-semantic", str(tree), "--db", db, check=True)
    (tree / "b.c").write_text("int foo_baz(void) { return 1; }\n")
    run_xref("index", "--no-semantic", str(tree), "--db", db, check=True)
    names = run_xref("search", "foo_ba", "--db", db, check=True).stdout.split()
    assert "FOO_bar" in names and "foo_baz" in names and "foo_bar" not in names


def test_fifty_reindexes_each_adding_a_name_keep_search_whole(tmp_path):
    """Re-indexes used to merge Whoosh segments, and one in six crashed there."""
    from indexer import pipeline
    from xref.queries import Index

    tree = make_tree(tmp_path / "t", {"base.c": "int base_fn(void) { return 0; }\n"})
    db = tmp_path / "db"
    trees = [pipeline.Tree("t", tree)]
    pipeline.run(trees, db, jobs=1)
    for i in range(50):
        make_tree(tree, {f"n{i}.c": f"int added_name_{i}(void) {{ return base_fn(); }}\n"})
        pipeline.run(trees, db, jobs=1)
    index = Index.open(str(db))
    assert [hit.name for hit in index.search("added_name_37")][:1] == ["added_name_37"]
    assert len(index.search("added_name_", limit=100)) == 50
    assert {hit.name for hit in index.search("ded_name_4", limit=100)} == {f"added_name_{i}" for i in range(40, 50)} | {
        "added_name_4"}
    assert index.search("base_fn")[0].name == "base_fn"


def test_names_a_run_adds_join_the_search_index_in_a_segment_of_their_own(tmp_path, monkeypatch):
    """Names wait in the facts' `added_names` (a table whose scan takes seconds on a cold disk
    once it is large) only until there are FOLD_AT of them; a fresh build leaves none there."""
    from indexer import pipeline
    from xref import search
    from xref.queries import Index

    monkeypatch.setattr(search, "FOLD_AT", 5)
    tree = make_tree(tmp_path / "t", {"base.c": "#define MAKE(n) int made_##n(void) { return 0; }\n"
                                                "MAKE(one)\nint base_fn(void) { return 0; }\n"})
    db = tmp_path / "db"
    trees = [pipeline.Tree("t", tree)]
    pipeline.run(trees, db, jobs=1)
    index = Index.open(str(db))
    waiting = lambda: index.conn.execute("SELECT count(*) FROM added_names").fetchone()[0]  # noqa: E731
    assert waiting() == 0 and [hit.name for hit in index.search("made_one")][:1] == ["made_one"]
    segments = len(index._search().reader.leaf_readers())
    for i in range(5):
        make_tree(tree, {f"n{i}.c": f"int added_name_{i}(void) {{ return base_fn(); }}\n"})
        pipeline.run(trees, db, jobs=1)
        assert waiting() == (i + 1) % 5
        assert {hit.name for hit in index.search("ded_name_", limit=100)} == {f"added_name_{j}" for j in range(i + 1)}
    assert len(index._search().reader.leaf_readers()) == segments + 1  # the open index sees the new segment
    assert (index.gen / "search" / search.LOWER_NAMES).read_text().split().count("added_name_4") == 1
    # A lost search index is made again from every definition, the waiting names with them, once.
    make_tree(tree, {"n5.c": "int added_name_5(void) { return base_fn(); }\n"})
    pipeline.run(trees, db, jobs=1)
    assert waiting() == 1
    shutil.rmtree(index.gen / "search")
    pipeline.run(trees, db, jobs=1)
    assert waiting() == 0
    assert (index.gen / "search" / search.LOWER_NAMES).read_text().split().count("added_name_5") == 1
    assert [hit.name for hit in Index.open(str(db)).search("added_name_5")][:1] == ["added_name_5"]


def test_a_full_disk_is_one_line_and_the_published_index_still_answers(tmp_path):
    import resource

    tree = make_tree(tmp_path / "t", {"good.c": "int good(void) { return 0; }\n"})
    db = tmp_path / "db"
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True)
    make_tree(tree, {f"more{i}.c": f"int more{i}(void) {{ return good(); }}\n" * 50 for i in range(200)})

    def small_files():  # a write past 64 KiB fails as it would on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    for target in (db, tmp_path / "fresh"):  # a re-index, and a first build
        proc = subprocess.run([sys.executable, "-m", "xref.cli", "index", "--no-semantic", str(tree),
                               "--db", str(target)], cwd=REPO, capture_output=True, text=True, preexec_fn=small_files)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("xref: "), proc.stderr
    assert run_xref("def", "good", "--db", str(db), check=True).stdout.startswith("good.c:1:")
    assert run_xref("def", "more3", "--db", str(db)).returncode == 1
    # the half-written first build is gone, and so is the re-index's part
    assert not list((tmp_path / "fresh").glob("gen-*")) and len(list(db.glob("gen-*"))) == 1


def test_a_read_only_index_answers_and_a_reindex_into_it_is_one_line(tmp_path):
    tree = make_tree(tmp_path / "t", {"good.c": "int good(void) { return 0; }\n"})
    db = tmp_path / "db"
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True)
    for leftover in db.glob("gen-*/facts.sqlite-*"):
        leftover.unlink()  # a copy without its -wal and -shm files
    if subprocess.run(["mount", "--bind", str(db), str(db)], capture_output=True).returncode != 0:
        pytest.skip("needs a read-only bind mount (root)")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(db)], check=True)
        assert run_xref("def", "good", "--db", str(db), check=True).stdout.startswith("good.c:1:")
        make_tree(tree, {"more.c": "int more(void) { return good(); }\n"})
        proc = run_xref("index", "--no-semantic", str(tree), "--db", str(db))
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Read-only file system" in proc.stderr
    finally:
        subprocess.run(["umount", str(db)])


def test_an_index_path_that_cannot_be_a_directory_is_one_line(tmp_path):
    tree = make_tree(tmp_path / "t", {"good.c": "int good(void) { return 0; }\n"})
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    (tmp_path / "file").write_text("")
    for db in (tmp_path / "dangling", tmp_path / "file" / "db"):
        proc = run_xref("index", "--no-semantic", str(tree), "--db", str(db))
        assert proc.returncode == 2 and proc.stderr.startswith("xref: ") and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.mark.parametrize("moment", ["fresh build, after CURRENT is swapped", "re-index, after the COMMIT"])
def test_a_signal_handled_just_after_the_publishing_call_knows_it_was_published(tmp_path, monkeypatch, moment):
    """Python handles Ctrl-C only once the call it arrived in returns: a COMMIT or the swap of
    CURRENT that happened must be reported as published, and a fresh build's generation kept."""
    from indexer import pipeline
    from xref import store
    from xref.queries import Index

    tree = make_tree(tmp_path / "t", {"base.c": "int base_fn(void) { return 0; }\n"})
    db = tmp_path / "db"
    trees = [pipeline.Tree("t", tree)]
    if moment.startswith("fresh"):
        publish = store.publish_generation

        def publish_then_signal(index_dir, gen):
            publish(index_dir, gen)
            raise KeyboardInterrupt

        monkeypatch.setattr(store, "publish_generation", publish_then_signal)
    else:
        pipeline.run(trees, db, jobs=1)
        make_tree(tree, {"added.c": "int added_fn(void) { return base_fn(); }\n"})
        connect = store.connect

        class CommitThenSignal:
            def __init__(self, conn):
                self.conn = conn

            def __getattr__(self, name):
                return getattr(self.conn, name)

            def execute(self, sql, *args):
                done = self.conn.execute(sql, *args)
                if sql == "COMMIT":
                    raise KeyboardInterrupt
                return done

        monkeypatch.setattr(store, "connect", lambda *a, **k: CommitThenSignal(connect(*a, **k)))
    with pytest.raises(pipeline.Interrupted) as stopped:
        pipeline.run(trees, db, jobs=1)
    monkeypatch.undo()
    assert stopped.value.published
    name = "base_fn" if moment.startswith("fresh") else "added_fn"
    assert [hit.name for hit in Index.open(str(db)).definitions(name)] == [name]
