"""One step of what runs, as `xref path` prints it."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Hop:
    symbol: str
    path: str
    line: int
    # library | macro | instruction | entry | call | dispatch | subcall | wrapper | jump
    # | indirect via struct T.field | indirect via parameter N of F
    via: str
    evidence: str = ""
    compiled: bool | None = None  # False: the configuration does not compile its definition
    # Where the hop's facts come from: ts (the tree-sitter pass), clang (the semantic pass),
    # macro (the macro stage's expansion), model (the syscall tables, dispatcher, glibc's sysdeps rules)
    layer: str = "model"

    def to_json(self) -> dict:
        return asdict(self)
