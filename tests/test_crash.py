"""Killing a re-index at any moment leaves the old answers or the new ones, never a mix, and the
next run makes the index equal to a fresh build: the bundled trees with the semantic pass, and
(with the "glibc" parameter) the real glibc 2.36."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_xref
from tests.crashkit import STEPS, differences, index_command, kill_at, snapshot
from xref.corpus import BUNDLED

PROBES = ["xref_crash_probe", "__xref_crash_probe", "xref_crash_entry", "XREF_CRASH_FLAG", "xref_crash", "sendto"]


def _change(trees: list[Path]) -> None:
    """A new function and the alias a macro makes of it (glibc's socket/sendto.c), a new function
    calling another (the kernel's net/socket.c, or glibc's socket/recv.c), and a header's new
    macro (which makes the macro stage go over the whole index)."""
    by_name = {tree.name: tree for tree in trees}
    glibc = by_name["glibc"]
    sendto = glibc / "socket" / "sendto.c"
    sendto.write_text(sendto.read_text() + "\nint\n__xref_crash_probe (int fd)\n{\n  return fd;\n}\n"
                      "weak_alias (__xref_crash_probe, xref_crash_probe)\n")
    calling = by_name["linux"] / "net" / "socket.c" if "linux" in by_name else glibc / "socket" / "recv.c"
    calling.write_text(calling.read_text() + "\nstatic int xref_crash_helper(void)\n{\n\treturn 0;\n}\n\n"
                       "int xref_crash_entry(void)\n{\n\treturn xref_crash_helper();\n}\n")
    header = by_name["linux"] / "include" / "linux" / "net.h" if "linux" in by_name else \
        glibc / "include" / "sys" / "socket.h"
    header.write_text("#define XREF_CRASH_FLAG 1\n" + header.read_text())


# The real glibc 2.36 is a slow variant (5 minutes): its re-index once differed from a fresh
# build in 3 registrations, because the parser's captures came in an order that depended on
# what the worker had parsed before (indexer/cparse.py now sorts them).
@pytest.fixture(scope="module", params=["corpus", pytest.param("glibc", marks=pytest.mark.slow)])
def states(request, tmp_path_factory):
    """The trees after the change, and the snapshots of the old index, of the new tree-sitter
    layer over the old semantic pass (what the default command publishes first), and of a
    fresh build of the changed trees. The bundled trees are indexed with the default command
    (the semantic pass too); the real glibc 2.36 with the tree-sitter layer only (`--no-semantic`:
    its semantic pass, 20 minutes, once per kill, would not fit a CI run)."""
    base = tmp_path_factory.mktemp(f"crash-{request.param}")
    env = {"XREF_CACHE": str(base / "cache")}
    if request.param == "corpus":
        sources, options = [BUNDLED / "linux", BUNDLED / "glibc"], []
    else:
        sources, options = [request.getfixturevalue("glibc_tree")], ["--no-semantic"]
    trees = [base / ("glibc" if source.name.startswith("glibc") else source.name) for source in sources]
    for source, tree in zip(sources, trees, strict=True):
        shutil.copytree(source, tree, symlinks=True)
    old_db = base / "old"
    run_xref("index", *map(str, trees), "--db", str(old_db), *options, env=env, check=True)
    _change(trees)
    new_db = base / "new"
    run_xref("index", *map(str, trees), "--db", str(new_db), *options, env=env, check=True)
    mid_db = base / "mid"
    shutil.copytree(old_db, mid_db)
    started = time.monotonic()
    run_xref("index", "--no-semantic", *map(str, trees), "--db", str(mid_db), env=env, check=True)
    took = time.monotonic() - started
    shots = {"old": snapshot(old_db, PROBES), "tree-sitter layer": snapshot(mid_db, PROBES),
             "new": snapshot(new_db, PROBES)}
    assert shots["new"] != shots["old"] and shots["tree-sitter layer"] != shots["old"]
    return {"base": base, "env": env, "trees": trees, "old_db": old_db, "shots": shots, "took": took,
            "options": options}


def _kill_and_check(states, name, how, step=None, delay=0.0):
    db = states["base"] / name
    shutil.rmtree(db, ignore_errors=True)
    shutil.copytree(states["old_db"], db)
    command = index_command(states["trees"], db, *states["options"])
    err = kill_at(command, states["env"], how, step, delay)
    assert "Traceback" not in err, err
    shot = snapshot(db, PROBES)
    matches = [label for label, known in states["shots"].items() if shot == known]
    assert matches, "a mixed state: " + "; ".join(differences(shot, states["shots"]["old"])[:3])
    if how == signal.SIGINT and "interrupted" in err:
        said = err.strip().splitlines()[-1]
        assert (matches[0] == "old") == said.endswith("the previous index is unchanged."), (matches, said)
    # and the next run makes it what a fresh build is
    run_xref(*index_command(states["trees"], db, *states["options"])[3:], env=states["env"], check=True)
    again = snapshot(db, PROBES)
    assert again == states["shots"]["new"], differences(again, states["shots"]["new"])
    return matches[0]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_every_step_boundary_leaves_old_or_new_answers(states, step, how):
    _kill_and_check(states, f"step-{step}-{how}", how, step=step)


def test_twenty_kills_at_random_moments_leave_old_or_new_answers(states):
    chance = random.Random(17)
    seen = set()
    for i in range(20):
        how = chance.choice([signal.SIGKILL, signal.SIGINT])
        delay = chance.uniform(0.3, 1.5 * states["took"] + 2)
        seen.add(_kill_and_check(states, f"random-{i}", how, delay=delay))
    assert len(seen) >= 2, seen  # the kills did land at different moments


def test_the_new_names_are_found_after_a_reindex(states):
    assert states["shots"]["new"]["search"]["xref_crash_probe"][0] == "xref_crash_probe"
    assert "__xref_crash_probe" in states["shots"]["new"]["search"]["xref_crash"]


# A worker that Ctrl-C reaches between its fork and `init_worker` (which ignores it) printed a
# KeyboardInterrupt from Python's after-fork hooks (1 run in 40 of the test above): here every
# process either pool forks is sent one at exactly that moment.
_EARLY_CTRL_C = """
import os, signal, sys
from xref.cli import main

os.register_at_fork(after_in_child=lambda: os.kill(os.getpid(), signal.SIGINT))
main(sys.argv[1:])
"""


def test_a_ctrl_c_reaching_a_worker_as_it_starts_is_ignored(tmp_path):
    db = tmp_path / "db"
    command = [sys.executable, "-c", _EARLY_CTRL_C, "index", str(BUNDLED / "linux"), str(BUNDLED / "glibc"),
               "--db", str(db), "--jobs", "2"]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XREF_CACHE": str(tmp_path / "cache")})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "KeyboardInterrupt" not in proc.stderr, proc.stderr
    assert run_xref("def", "sendto", "--db", str(db), check=True).stdout
