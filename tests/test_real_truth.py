"""The index's call graph and `xref path` against what the running kernel did (slow).

tests/data/ftrace/6.1.192-2/ holds function_graph traces of 137 system calls made on Debian's
linux-image-6.1.0-56-amd64 under qemu (bench/ftrace/ records them), and that kernel's .config.
The index compared is the plain one `xref index` publishes first, told the traced kernel's
configuration (`--config`): what it builds is what ran.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_xref
from xref.model.callgraph import CallGraph
from xref.model.traces import Unseen, chain_results, edge_recall, read_traceable, read_traces
from xref.queries import Index

pytestmark = pytest.mark.slow

TRUTH = REPO / "tests" / "data" / "ftrace" / "6.1.192-2"

# The paths issue asks for 98 % of the traced edges with the callee within two calls, since
# ftrace cannot see inlined functions: calls of the functions the traced kernel could not trace
# (traceable.txt.gz, its available_filter_functions) are not counted. The other two measures and
# the chains hold what the plain index reaches today (the README's "Against the running kernel").
EDGE_RECALL_UNTRACED_FREE = 0.98
EDGE_RECALL_STRICT = 0.82
EDGE_RECALL_INLINE_FREE = 0.95
CHAINS_FOUND = 0.75


@pytest.fixture(scope="session")
def traced_db(linux_ts_db, linux_tree, tmp_path_factory) -> Path:
    """The plain Linux index, told the traced kernel's configuration."""
    db = tmp_path_factory.mktemp("traced") / "db"
    shutil.copytree(linux_ts_db, db)
    run_xref("index", "--no-semantic", str(linux_tree), "--db", str(db), "--config", str(TRUTH / "config"),
             env={"XREF_CACHE": str(tmp_path_factory.mktemp("traced-cache"))}, check=True)
    return db


@pytest.fixture(scope="session")
def graph(traced_db) -> CallGraph:
    index = Index.open(str(traced_db))
    [kernel] = list(index.trees)
    return CallGraph(index, "x86_64", kernel, passed_anywhere=True)


def test_the_truth_is_the_kernel_the_trees_are_pinned_to():
    assert "Debian 6.1.192-2 " in (TRUTH / "KERNEL").read_text()
    traces = read_traces(TRUTH)
    assert len(traces) >= 100 and len({t.syscall for t in traces}) >= 40
    traceable = read_traceable(TRUTH)  # every traced function was traceable, and most of the kernel is
    untraceable = set().union(*(t.names() for t in traces)) - traceable
    assert len(traceable) > 30_000 and untraceable <= {t.handler for t in traces}  # the alias SYSCALL_DEFINE0 makes


def test_the_call_graph_has_the_traced_edges(graph):
    traces = read_traces(TRUTH)
    strict = edge_recall(graph, traces)
    free = edge_recall(graph, traces, free=Unseen.inline(graph))
    untraced = edge_recall(graph, traces, free=Unseen.untraced(read_traceable(TRUTH)))
    print(f"edge recall: {strict.ratio:.1%} within two calls, {free.ratio:.1%} with inline functions free, "
          f"{untraced.ratio:.1%} with the functions ftrace could not trace free ({free.edges} traced edges)")
    assert untraced.ratio >= EDGE_RECALL_UNTRACED_FREE
    assert strict.ratio >= EDGE_RECALL_STRICT and free.ratio >= EDGE_RECALL_INLINE_FREE
    # The socket showcase, edge by edge: sendto's UDP datagram from the handler to the loopback driver.
    [udp] = [t for t in traces if t.label == "sendto-udp4"]
    showcase = [("__sock_sendmsg", "inet_sendmsg"), ("inet_sendmsg", "udp_sendmsg"),
                ("ip_finish_output2", "__dev_queue_xmit"), ("dev_hard_start_xmit", "loopback_xmit")]
    assert set(showcase) <= udp.edges()
    assert not set(showcase) & set(free.missing.get("sendto-udp4", []))


def test_xref_path_finds_the_traced_chains(traced_db, graph):
    """Every fifth traced call (bench/bench_truth.py --chains asks for all of them)."""
    index = Index.open(str(traced_db))
    traces = read_traces(TRUTH)
    sample = [t for i, t in enumerate(traces) if i % 5 == 0 or t.label == "sendto-udp4"]
    results = chain_results(index, sample, graph, traces)
    found = [r for r in results if r["found"]]
    print(f"traced chain among the first three answers: {len(found)}/{len(results)}")
    assert len(found) >= CHAINS_FOUND * len(results)
    assert "sendto-udp4" in {r["label"] for r in found}
