"""The index's call graph and `xref path` against what the running kernel did (tests/data/ftrace/).

    python bench/bench_truth.py --db DIR [--traces DIR] [--chains] [--missing N]

Edge recall: of the caller -> callee edges ftrace's function_graph recorded under each traced
system call, how many the index's call graph has with the callee within two calls (inline
functions free, and counted as calls: both are printed). `--chains`: for each traced call,
`xref path SYSCALL --to F` for F the deepest function the trace shows once on the data path and the
index calls from at most 20 places, in at most 3 of the traces (a distinctive one, not a lock,
an allocator or a time stamp):
whether one of the first three chains passes every traced function down to F, in order; with
the time of each answer. The peer for the same question is a person following cscope's `-2`
callees by hand: the number of `-2` queries the traced chain would take is printed beside it.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xref.model.callgraph import CallGraph  # noqa: E402
from xref.model.traces import Unseen, chain_results, edge_recall, read_traceable, read_traces  # noqa: E402
from xref.queries import Index  # noqa: E402

TRACES = Path(__file__).resolve().parent.parent / "tests" / "data" / "ftrace" / "6.1.192-2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--traces", type=Path, default=TRACES)
    parser.add_argument("--chains", action="store_true", help="also ask `xref path` for each traced call")
    parser.add_argument("--missing", type=int, default=30, help="print the N most common missing edges")
    args = parser.parse_args()
    index = Index.open(args.db)
    kernel = next(i for i, (name, root) in index.trees.items() if (root / "Kconfig").is_file())
    graph = CallGraph(index, "x86_64", kernel, passed_anywhere=True)
    traces = read_traces(args.traces)
    traceable = read_traceable(args.traces)
    ways = {"": None, " (inline functions free)": Unseen.inline(graph)}
    if traceable:
        ways[" (functions ftrace could not trace free)"] = Unseen.untraced(traceable)
    for label, free in ways.items():
        recall = edge_recall(graph, traces, free=free)
        print(f"edge recall, callee within two calls{label}: {recall.found}/{recall.edges} = {recall.ratio:.1%}")
    missing = collections.Counter(e for edges in recall.missing.values() for e in edges)
    for (caller, callee), count in missing.most_common(args.missing):
        print(f"  missing in {count:3} traces: {caller} -> {callee}")
    if args.chains:
        results = chain_results(index, traces, graph)
        found = [r for r in results if r["found"]]
        times = sorted(r["seconds"] for r in results)
        print(f"traced chain among the first three: {len(found)}/{len(results)}; time median "
              f"{statistics.median(times):.2f} s, max {times[-1]:.2f} s; cscope -2 queries the same chains take: "
              f"median {statistics.median(len(r['traced']) - 1 for r in results):.0f}")
        for r in results:
            if not r["found"]:
                print(f"  {r['label']} --to {r['to']}: {r['error'] or 'not among the first three'}; traced "
                      f"{' > '.join(r['traced'])}")
                if r["chains"]:
                    print(f"    first answer: {' > '.join(r['chains'][0])}")


if __name__ == "__main__":
    main()
