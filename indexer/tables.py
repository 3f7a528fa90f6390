"""Syscall tables (`syscall_*.tbl`): number, ABI, name, entry point and compat entry point; and
glibc's `syscalls.list` (the wrappers make-syscalls.sh generates).

A row with no entry point is reserved and answers like `sys_ni_syscall`.
"""

from __future__ import annotations

from indexer.facts import Definition, FileFacts, ListRow, TableRow
from indexer.identifiers import identifier_lines


def extract_table(source: bytes) -> FileFacts:
    facts = FileFacts()
    for number, raw in enumerate(source.decode("utf-8", "replace").split("\n"), start=1):
        line = raw.split("#", 1)[0].split()
        if len(line) < 3 or not line[0].isdigit():
            continue
        entry = line[3] if len(line) > 3 else ""
        compat = line[4] if len(line) > 4 else ""
        facts.table_rows.append(TableRow(int(line[0]), line[1], line[2], entry, compat, number))
        facts.definitions.append(Definition(line[2], "syscall", number, " ".join(line)))
    facts.references = identifier_lines(source, assembly=True)
    return facts


def extract_syscalls_list(source: bytes) -> FileFacts:
    """`File-name Caller Syscall-name Args Strong-name Weak-names...`, `#` starting a comment."""
    facts = FileFacts()
    for number, raw in enumerate(source.decode("utf-8", "replace").split("\n"), start=1):
        words = raw.split("#", 1)[0].split()
        if len(words) >= 5:
            routine, caller, syscall, args, strong, *weak = words
            facts.list_rows.append(ListRow(number, routine, caller, syscall, args, strong, weak))
    facts.references = identifier_lines(source, assembly=True)
    return facts
