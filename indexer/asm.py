"""Assembly files (`.S`): the labels they define and the `call`/`jmp` targets they reach.

Labels come from `SYM_*_START`/`SYM_INNER_LABEL`/`ENTRY`-style macros, `.globl` symbols and
plain `name:` lines; each label is a scope, so a `call` below it has a caller.
"""

from __future__ import annotations

import bisect
import re

from indexer.facts import Call, Definition, FileFacts, Scope
from indexer.identifiers import identifier_lines, strip_noise

_LABEL_MACRO = re.compile(
    rb"^[ \t]*(SYM_[A-Z_]*START[A-Z_]*|SYM_INNER_LABEL[A-Z_]*|ENTRY|GLOBAL|WEAK|END_?\w*)"
    rb"[ \t]*\([ \t]*([A-Za-z_.$][\w.$]*)",
    re.M,
)
_PLAIN_LABEL = re.compile(rb"^[ \t]*([A-Za-z_.$][\w.$]*):", re.M)
_GLOBL = re.compile(rb"^[ \t]*\.glob(?:a)?l[ \t]+([A-Za-z_.$][\w.$]*)", re.M)
_BRANCH = re.compile(
    rb"^[ \t]*(?:[A-Za-z_.$][\w.$]*:[ \t]*)?(call[lq]?|jmp[lq]?|j[a-z]{1,4}|tail[ \t]*call|ALTERNATIVE[^\n]*?call)"
    rb"[ \t]+\*?([A-Za-z_][\w.$]*)",
    re.M,
)
_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\()?[^\n]*", re.M)


def extract_asm(source: bytes) -> FileFacts:
    text = strip_noise(source)  # same newlines as source, so lines agree
    line_starts = [0] + [m.end() for m in re.finditer(rb"\n", source)]
    text_starts = [0] + [m.end() for m in re.finditer(rb"\n", text)]
    facts = FileFacts()

    def line_at(pos: int) -> int:
        return bisect.bisect_right(text_starts, pos)

    def snippet(line: int) -> str:
        end = line_starts[line] if line < len(line_starts) else len(source)
        return " ".join(source[line_starts[line - 1] : end].decode("utf-8", "replace").split())[:200]

    defined: set[str] = set()
    opened: dict[str, int] = {}  # a SYM_*_START label -> its line, until its END
    spans: list[tuple[int, int, str]] = []
    for match in _LABEL_MACRO.finditer(text):
        macro, name = match.group(1).decode(), match.group(2).decode()
        line = line_at(match.start())
        if macro.startswith("END") or macro.endswith("_END"):
            if name in opened:
                spans.append((opened.pop(name), line, name))
            continue
        if macro.startswith("SYM_INNER_LABEL") or macro in ("GLOBAL", "WEAK"):
            pass
        else:
            opened.setdefault(name, line)
        if name not in defined:
            defined.add(name)
            facts.definitions.append(Definition(name, "label", line, snippet(line)))
    global_names = {m.group(1).decode() for m in _GLOBL.finditer(text)}
    plain: list[tuple[int, str]] = []
    for match in _PLAIN_LABEL.finditer(text):
        name = match.group(1).decode()
        if name.startswith(".") or name in defined:
            continue
        line = line_at(match.start())
        defined.add(name)
        plain.append((line, name))
        facts.definitions.append(Definition(name, "label", line, snippet(line)))
    for match in _DEFINE.finditer(text):
        line = line_at(match.start())
        facts.definitions.append(Definition(match.group(1).decode(), "macro", line, snippet(line)))

    # Unclosed START labels, and global plain labels in files without macros, run to the next label.
    last = len(line_starts)
    loose = sorted([(line, name) for name, line in opened.items()]
                   + ([(line, name) for line, name in plain if name in global_names] if not spans else []))
    for i, (line, name) in enumerate(loose):
        spans.append((line, loose[i + 1][0] - 1 if i + 1 < len(loose) else last, name))
    spans.sort()
    for start, end, name in spans:
        facts.scopes.append(Scope(name, start, max(start, end)))

    for match in _BRANCH.finditer(text):
        target = match.group(2).decode()
        line = line_at(match.start())
        caller = ""
        for start, end, name in spans:
            if start <= line <= end:
                caller = name  # the innermost span starts last
        how = "direct" if match.group(1).startswith((b"call", b"tail")) else "jump"
        facts.calls.append(Call(caller, target, line, how))

    facts.references = identifier_lines(source, assembly=True)
    return facts
