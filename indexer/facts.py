"""The facts one source file yields, as plain data moving from the parsers to the store.

Every extractor returns a `FileFacts`; the pipeline writes them without looking inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Definition:
    name: str
    kind: str  # function, macro, struct, union, enum, member, typedef, enumerator, variable, prototype, label
    line: int
    signature: str
    scope: str = ""  # the struct/union/enum a member or enumerator belongs to; a macro's #if conditions
    typeref: str = ""  # a member's or variable's type, e.g. "struct proto_ops *"
    end_line: int = 0
    macro: str = ""  # the macros that made it, where the source text does not show it (an X-macro list)


@dataclass(slots=True)
class Scope:
    """A function body: what `function` of a reference or call on these lines means."""

    name: str
    start: int
    end: int


@dataclass(slots=True)
class Call:
    caller: str  # the enclosing function, "" at file scope
    callee: str  # the function called, or the field called through
    line: int
    how: str  # direct | field | param
    struct: str = ""  # for field calls: the struct type the field belongs to, when the base type is known
    via: str = ""  # the callee expression as written (sock->ops->sendmsg), or the parameter position


@dataclass(slots=True)
class Registration:
    struct: str  # "proto_ops", or "" when the syntax does not say
    field: str
    function: str
    line: int
    # initializer | assignment | argument | copy (function: the field copied; context: its struct) |
    # param (function: a parameter of `context`, at `argpos`: the field holds what its callers pass) |
    # forward (`context` passes its parameter `function`, its `field`-th, to `callee` at `argpos`)
    how: str
    callee: str = ""  # for arguments: the function the pointer is passed to
    argpos: int = 0  # for arguments and parameters: 1-based position
    context: str = ""  # the variable initialized or the expression assigned to


@dataclass(slots=True)
class Include:
    target: str
    line: int
    system: bool


@dataclass(slots=True)
class TableRow:
    """One row of a syscall_*.tbl file."""

    number: int
    abi: str
    name: str
    entry: str
    compat: str
    line: int


@dataclass(slots=True)
class ListRow:
    """One row of a glibc syscalls.list: `sendto - sendto Ci:ibUibn __libc_sendto __sendto sendto`."""

    line: int
    routine: str
    caller: str
    syscall: str
    args: str
    strong: str
    weak: list[str]


@dataclass(slots=True)
class Invocation:
    """A function-like use at file scope (`SYSCALL_DEFINE3(bind, ...)`, `weak_alias (a, b)`): maybe a
    macro that defines names, which only the whole index can tell."""

    name: str
    line: int
    args: list[str]  # as written, whitespace squeezed, comments and literals blanked
    block: bool  # a `{` follows: the expansion's last declarator gets this body


@dataclass
class FileFacts:
    definitions: list[Definition] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    references: dict[str, list[int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    table_rows: list[TableRow] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)
    list_rows: list[ListRow] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)  # headers expanded as X-macro lists (tree-relative)
    unlikely: list[tuple[int, int]] = field(default_factory=list)  # lines of branches marked rare
    parse_errors: int = 0
