#!/usr/bin/env python3
"""Clean a function_graph dump of bench/ftrace into one file per traced call.

Usage:
  clean.py --handlers prog.c
      print the __x64_sys_* handlers of the calls prog.c traces (for
      set_graph_function), one a line
  clean.py --dump DUMP --out DIR [--cache DIR] [--keep-softirq]
      DUMP is what the guest wrote on ttyS1 (see init.sh); writes
      DIR/NNN-LABEL.txt, DIR/calls.json, DIR/KERNEL, DIR/stripped-suffixes.txt,
      DIR/traceable.txt.gz (the functions ftrace could trace: the others were inlined)
      and the raw trace, gzipped, into DIR if under 2 MB (else into --cache)

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# x86_64 handlers whose names differ from __x64_sys_<syscall>
HANDLER_NAMES = {
    "fstat": "__x64_sys_newfstat",
    "stat": "__x64_sys_newstat",
    "lstat": "__x64_sys_newlstat",
    "uname": "__x64_sys_newuname",
    "sendfile": "__x64_sys_sendfile64",
}

MAX_LINES = 4000
RAW_MAX_BYTES = 2 * 1024 * 1024

# Subtrees kept as one line: the rest below them runs for other tasks
# (schedule) or for whatever raised the softirq (__do_softirq).
CUT_BELOW_SCHED = {"schedule", "__schedule"}
CUT_BELOW_SOFTIRQ = {"__do_softirq"}
# Interrupt entry/exit that funcgraph-irqs=0 does not hide (they run outside
# the hardirq count): dropped whole, they are no part of the call.
IRQ_START = "irq_enter_rcu"
# __schedule, preempt_schedule and preempt_schedule_common are notrace: a
# switch in __cond_resched or a preemption shows the body of __schedule as
# callees of the function that let it happen, from rcu_note_context_switch to
# finish_task_switch (or to the rq unlock when no switch happened).  Cut too.
SCHED_BODY_START = "rcu_note_context_switch"
SCHED_BODY_END = ["finish_task_switch", "_raw_spin_unlock_irq"]
IRQ_AFTER = ["handle_softirqs", "idle_cpu", "preempt_schedule_irq"]

SUFFIX_RE = re.compile(r"((?:\.(?:isra|constprop|part|llvm|lto_priv)\.\d+)|\.cold(?:\.\d+)?)+$")
MARK_RE = re.compile(r"xref-call (\d+) (\S+) (\S+) \| (.*?)\s*$")
TRACE_LINE_RE = re.compile(r"^\s*\d+\)\s(.*)$")
# the duration/overhead column, when funcgraph-duration is on
DURATION_RE = re.compile(r"^[^a-zA-Z_/}]*\|\s?(.*)$")


def handler_for(syscall: str) -> str:
    return HANDLER_NAMES.get(syscall, "__x64_sys_" + syscall)


def handlers(prog_c: Path) -> list[str]:
    calls = re.findall(r'\b(?:T|mark)\("([^"]+)", "([^"]+)"', prog_c.read_text())
    names = {handler_for(sysc) for _label, sysc in calls}
    names.add(handler_for("write"))  # the markers' own writes
    return sorted(names)


@dataclass
class Node:
    name: str
    children: list[Node] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class Graph:
    root: Node
    complete: bool = True

    def all_comments(self) -> list[str]:
        out: list[str] = []
        stack = [self.root]
        while stack:
            n = stack.pop()
            out.extend(n.comments)
            stack.extend(n.children)
        return out

    def has(self, name: str) -> bool:
        stack = [self.root]
        while stack:
            n = stack.pop()
            if n.name == name:
                return True
            stack.extend(n.children)
        return False


def parse_trace(text: str) -> tuple[list[Graph], list[str]]:
    """The top-level graphs of a function_graph trace (one CPU), in order."""
    graphs: list[Graph] = []
    stack: list[Node] = []
    problems: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            if "LOST" in line:
                problems.append(f"line {lineno}: {line.strip()}")
            continue
        if "LOST" in line and "EVENTS" in line:
            problems.append(f"line {lineno}: {line.strip()}")
            continue
        m = TRACE_LINE_RE.match(line)
        if not m:
            continue
        body = m.group(1)
        dm = DURATION_RE.match(body)
        if dm:
            body = dm.group(1)
        body = body.strip()
        if not body or "==========" in body:
            continue
        if body.startswith("/*"):
            comment = body[2:].rstrip("*/").strip() if body.endswith("*/") else body[2:].strip()
            if stack:
                stack[-1].comments.append(comment)
            else:  # a comment outside any graph
                graphs.append(Graph(Node("", comments=[comment])))
            continue
        if body.startswith("}"):
            if stack:
                node = stack.pop()
                tail = re.match(r"\}\s*/\*\s*(\S+)(?: \[[\w-]+\])?\s*\*/", body)
                if tail and tail.group(1) != node.name:
                    problems.append(f"line {lineno}: closes {tail.group(1)}, open is {node.name}")
            else:
                problems.append(f"line {lineno}: unmatched close: {body}")
            continue
        if "=>" in body:  # a context switch note
            continue
        # a module's function is written "name [module]()"
        fm = re.match(r"([\w.$]+)(?: \[[\w-]+\])?\(\)\s*(\{|;)", body)
        if not fm:
            problems.append(f"line {lineno}: not understood: {body}")
            continue
        node = Node(fm.group(1))
        if stack:
            stack[-1].children.append(node)
        else:
            graphs.append(Graph(node))
        if fm.group(2) == "{":
            stack.append(node)
    if stack:  # normally the write that turns tracing off
        graphs[-1].complete = False
    return graphs, problems


@dataclass
class Cleaned:
    lines: list[tuple[int, str]]
    cut_sched: int = 0
    cut_softirq: int = 0
    dropped_irq: int = 0
    interrupts: int = 0
    preemptions: int = 0
    cut_preempt: int = 0
    preempted_in: set[str] = field(default_factory=set)
    stripped: set[tuple[str, str]] = field(default_factory=set)
    merged: set[tuple[str, str]] = field(default_factory=set)


def count(n: Node) -> int:
    return 1 + sum(count(c) for c in n.children)


def clean_graph(root: Node, keep_softirq: bool) -> Cleaned:
    out = Cleaned([])

    def base(name: str) -> str:
        b = SUFFIX_RE.sub("", name)
        if b != name:
            out.stripped.add((name, b))
        return b

    def splice_parts(n: Node) -> list[Node]:
        # a compiler-split part of the function itself (f -> f.part.0,
        # f -> f.isra.0 ...): its callees are written as f's own
        kids: list[Node] = []
        me = SUFFIX_RE.sub("", n.name)
        for k in n.children:
            if k.name != me and SUFFIX_RE.sub("", k.name) == me:
                out.merged.add((k.name, me))
                kids.extend(splice_parts(Node(k.name, k.children)))
            else:
                kids.append(k)
        return kids

    def walk(n: Node, depth: int) -> None:
        name = base(n.name)
        out.lines.append((depth, name))
        n = Node(n.name, splice_parts(n), n.comments)
        if name in CUT_BELOW_SCHED:
            out.cut_sched += count(n) - 1
            return
        if name in CUT_BELOW_SOFTIRQ and not keep_softirq:
            out.cut_softirq += count(n) - 1
            return
        kids = n.children
        i = 0
        while i < len(kids):
            if kids[i].name == SCHED_BODY_START:
                # the inline-traced body of __schedule (notrace): a preemption
                # or a switch in __cond_resched; cut it up to its end
                names = [SUFFIX_RE.sub("", k.name) for k in kids]
                end = None
                for stop in SCHED_BODY_END:
                    if stop in names[i:]:
                        end = names.index(stop, i)
                        break
                end = len(kids) - 1 if end is None else end
                out.preemptions += 1
                out.cut_preempt += sum(count(k) for k in kids[i:end + 1])
                out.preempted_in.add(base(n.name))
                i = end + 1
                continue
            if kids[i].name == IRQ_START:
                out.interrupts += 1
                out.dropped_irq += 1
                i += 1
                for after in IRQ_AFTER:
                    if i < len(kids) and SUFFIX_RE.sub("", kids[i].name) == after:
                        out.dropped_irq += count(kids[i])
                        i += 1
                continue
            walk(kids[i], depth + 1)
            i += 1

    walk(root, 0)
    return out


def truncate(lines: list[tuple[int, str]], limit: int) -> tuple[list[tuple[int, str]], int | None]:
    if len(lines) <= limit:
        return lines, None
    depth = max(d for d, _ in lines)
    while depth > 0 and sum(1 for d, _ in lines if d <= depth) > limit:
        depth -= 1
    return [(d, n) for d, n in lines if d <= depth], depth


def read_dump(path: Path) -> dict:
    text = path.read_text(errors="replace").replace("\r", "")
    info: dict = {"prog": [], "stats": []}
    section = None
    b64: list[str] = []
    traceable: list[str] = []
    for line in text.split("\n"):
        if line.startswith("XREF-KERNEL "):
            info["kernel"] = line.split(" ", 1)[1].strip()
        elif line.startswith("XREF-VERSION "):
            info["version"] = line.split(" ", 1)[1].strip()
        elif line.startswith("XREF-PROG-TIME "):
            info["prog_time"] = line.split()[1:]
        elif line in ("XREF-PROG-BEGIN", "XREF-STATS-BEGIN", "XREF-TRACE-BEGIN", "XREF-TRACEABLE-BEGIN"):
            section = line
        elif line in ("XREF-PROG-END", "XREF-STATS-END", "XREF-TRACE-END", "XREF-TRACEABLE-END"):
            section = None
        elif section == "XREF-PROG-BEGIN":
            info["prog"].append(line)
        elif section == "XREF-STATS-BEGIN":
            info["stats"].append(line)
        elif section == "XREF-TRACE-BEGIN":
            b64.append(line.strip())
        elif section == "XREF-TRACEABLE-BEGIN":
            traceable.append(line.strip())
    info["trace_gz"] = base64.b64decode("".join(b64))
    info["trace"] = gzip.decompress(info["trace_gz"]).decode(errors="replace")
    # available_filter_functions: `name` or `name [module]`, compiler suffixes (.isra.0) as in traces
    listed = gzip.decompress(base64.b64decode("".join(traceable))).decode(errors="replace") if traceable else ""
    info["traceable"] = sorted({line.split()[0].split(".")[0] for line in listed.splitlines() if line.strip()})
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--handlers", type=Path, help="prog.c: print its graph functions")
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--keep-softirq", action="store_true",
                    help="keep what runs below __do_softirq")
    args = ap.parse_args()

    if args.handlers:
        print("\n".join(handlers(args.handlers)))
        return 0
    if not (args.dump and args.out):
        ap.error("--dump and --out are needed")

    info = read_dump(args.dump)
    graphs, problems = parse_trace(info["trace"])
    for p in problems[:50]:
        print("clean.py: trace:", p, file=sys.stderr)

    results = {}
    for line in info["prog"]:
        m = re.match(r"xref-result (\d+) (\S+) (-?\d+) ?(.*)$", line)
        if m:
            results[int(m.group(1))] = (m.group(2), int(m.group(3)), m.group(4).strip())

    # pair each marker with the first non-marker graph after it
    calls = []
    pending = None
    for g in graphs:
        marks = [MARK_RE.search(c) for c in g.all_comments()]
        marks = [m for m in marks if m]
        if marks or g.has("tracing_mark_write"):
            if pending:
                print(f"clean.py: no graph for {pending[1]}", file=sys.stderr)
            pending = marks[-1].groups() if marks else None
            continue
        if pending:
            calls.append((pending, g))
            pending = None
    if pending:
        print(f"clean.py: no graph for {pending[1]}", file=sys.stderr)

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("[0-9][0-9][0-9]-*.txt"):
        old.unlink()
    index = []
    stripped_all: dict[tuple[str, str], list[str]] = {}
    merged_all: dict[tuple[str, str], list[str]] = {}
    bad = 0
    for (num, label, syscall, what), g in calls:
        handler = handler_for(syscall)
        c = clean_graph(g.root, args.keep_softirq)
        root_name = c.lines[0][1]
        alias = None
        if root_name == "__do_sys_" + syscall and handler == "__x64_sys_" + syscall:
            # SYSCALL_DEFINE0: __x64_sys_NAME is an alias of __do_sys_NAME
            alias = root_name
            c.lines[0] = (0, handler)
            root_name = handler
        if root_name != handler:
            print(f"clean.py: {label}: graph starts at {root_name}, not {handler}", file=sys.stderr)
            bad += 1
        lines, depth = truncate(c.lines, MAX_LINES)
        fname = f"{int(num):03d}-{label}.txt"
        head = [
            f"# syscall: {syscall}",
            f"# label: {label}",
            f"# what: {what}",
            f"# handler: {handler}",
        ]
        res = results.get(int(num))
        if res:
            head.append(f"# returned: {res[1]}" + (f" ({res[2]})" if res[2] else ""))
        if alias:
            head.append(f"# alias: ftrace names the handler {alias} (same address: "
                        f"SYSCALL_DEFINE0 makes {handler} an alias of it)")
        if not g.complete:
            head.append("# incomplete: the trace ended inside this graph")
        if c.cut_sched:
            head.append(f"# cut: {c.cut_sched} lines below schedule/__schedule (other tasks)")
        if c.cut_softirq:
            head.append(f"# cut: {c.cut_softirq} lines below __do_softirq (softirq work)")
        if c.preemptions:
            head.append(f"# cut: {c.preemptions} preemption(s) or switch(es): {c.cut_preempt} lines "
                        f"of __schedule's body (notrace) below {', '.join(sorted(c.preempted_in))}")
        if c.dropped_irq:
            head.append(f"# dropped: {c.interrupts} interrupt(s) that arrived during the call "
                        f"({c.dropped_irq} lines: irq_enter_rcu, the softirqs run on irq exit, ...)")
        if depth is not None:
            head.append(f"# truncated: kept call depth <= {depth}: {len(lines)} of {len(c.lines)} lines")
        body = ["  " * d + n for d, n in lines]
        (out / fname).write_text("\n".join(head + body) + "\n")
        for pair in c.stripped:
            stripped_all.setdefault(pair, []).append(fname)
        for pair in c.merged:
            merged_all.setdefault(pair, []).append(fname)
        index.append({"file": fname, "label": label, "syscall": syscall,
                      "handler": handler, "what": what, "lines": len(lines)})

    (out / "calls.json").write_text(json.dumps(index, indent=1) + "\n")
    (out / "KERNEL").write_text(
        f"uname -r: {info.get('kernel', '?')}\n/proc/version: {info.get('version', '?')}\n")
    with open(out / "stripped-suffixes.txt", "w") as f:
        f.write("# Compiler suffixes (.isra.N .constprop.N .part.N .cold) stripped from the\n"
                "# names ftrace gave: original, name written, files where it occurs.\n")
        for (orig, base), files in sorted(stripped_all.items()):
            f.write(f"{orig}\t{base}\t{' '.join(files)}\n")
        f.write("#\n# Split-off parts called by the function they were split from (f -> f.part.0):\n"
                "# not written as a line of their own, their callees are written as f's.\n")
        for (orig, base), files in sorted(merged_all.items()):
            f.write(f"merged\t{orig}\t{base}\t{' '.join(files)}\n")

    if info["traceable"]:  # what ftrace could see: every other function was inlined, or is notrace
        with gzip.GzipFile(out / "traceable.txt.gz", "wb", mtime=0) as f:
            f.write(("\n".join(info["traceable"]) + "\n").encode())

    raw = info["trace_gz"]
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
        (args.cache / "raw-trace.txt.gz").write_bytes(raw)
    for stale in (out / "raw-trace.txt.gz",):
        if stale.exists():
            stale.unlink()
    if len(raw) < RAW_MAX_BYTES:
        (out / "raw-trace.txt.gz").write_bytes(raw)
        where = out / "raw-trace.txt.gz"
    elif args.cache:
        where = args.cache / "raw-trace.txt.gz"
    else:
        where = None
    print(f"clean.py: {len(index)} calls, {sum(e['lines'] for e in index)} lines, "
          f"{len(graphs)} graphs in the trace; raw trace {len(raw)} bytes gzipped -> {where}")
    for line in info["stats"]:
        if line.startswith(("overrun", "dropped", "entries")):
            print("clean.py: ring buffer:", line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
