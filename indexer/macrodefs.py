"""The macro stage: names that file-scope macro invocations define, found by expanding them.

`SYSCALL_DEFINE6(sendto, ...)` defines `__do_sys_sendto`, `weak_alias (__libc_sendto, sendto)`
defines `sendto`: no parser sees those names, the preprocessor makes them. Each macro is
expanded once per (argument count, followed by a body) with placeholder arguments; the
names its expansion defines that are built from the arguments are a template every
invocation fills in. Where a macro on the way has several candidate definitions (an
unconfigured tree: every architecture's `__SYSCALL_DEFINEx`), each candidate is expanded as
well, so the names of all of them are found, each with the chain of macros that made it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache

import tree_sitter_c
from tree_sitter import Language, Node, Parser

from indexer.cparse import _declared_name, _is_function_declarator
from xref.expand import IndexMacros
from xref.macros import Expander, ExpansionError, Macro, render, tokenize
from xref.queries import Index

_PLACEHOLDER = re.compile(r"__xref_(\d+)__")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_ALIAS_TARGET = re.compile(r'\s*"?\s*([A-Za-z_]\w*)')  # after `alias(`: "x" or x
_ALIAS = re.compile(r"\b(?:__)?alias(?:__)?\s*\(")  # alias("x"), __alias__("x")
_MAX_WORLDS = 24  # expansions per template: the default choice and alternatives
_DEFINING = {"function_definition", "declaration", "type_definition", "struct_specifier", "union_specifier",
             "enum_specifier"}


@dataclass(frozen=True, slots=True)
class Defined:
    """A name a piece of expanded C defines at file scope."""

    name: str
    kind: str  # function, variable, alias, struct, union, enum, typedef
    calls: tuple[str, ...] = ()  # for a function: the functions its body calls by name
    owner: bool = False  # a function whose body is the one that follows the invocation in the source


@dataclass(frozen=True, slots=True)
class NameTemplate:
    """A name an expansion defines, with placeholders where the arguments go."""

    name: str
    kind: str
    chain: str  # the macros that produced it, outermost first, each with path:line
    calls: tuple[str, ...] = ()
    owner: bool = False


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_c.language()))


def defined_names(text: str) -> list[Defined]:
    """What a piece of expanded C defines at file scope (not what it only declares)."""
    # tree-sitter's recovery from an attribute after a plain declarator (`extern T b
    # __attribute__((alias("a")));`) can swallow the next declaration: parse without
    # attributes and asm labels (blanked, so offsets hold), read them in the text itself.
    tree = _parser().parse(_blank_attributes(text).encode())  # ASCII: byte offsets are string offsets
    found: list[Defined] = []
    stack = list(reversed(tree.root_node.children))
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.type.startswith("preproc_") or node.type == "linkage_specification":
            stack.extend(reversed(node.children))
            continue
        if node.type not in _DEFINING:
            continue
        if node.type == "function_definition":
            name = _declared_name(node.child_by_field_name("declarator"))
            if name is not None:
                found.append(Defined(name.text.decode(), "function", _called(node.child_by_field_name("body")),
                                     node.end_byte >= len(text.rstrip())))
        elif node.type == "type_definition":
            for declarator in node.children_by_field_name("declarator"):
                name = _declared_name(declarator)
                if name is not None:
                    found.append(Defined(name.text.decode(), "typedef"))
        elif node.type == "declaration":
            # tree-sitter ends a declaration before an attribute that follows a plain name
            # (`extern T alias __attribute__((alias("x")));`): read on to the semicolon.
            end = text.find(";", node.end_byte - 1)
            found += _declared(node, text[node.start_byte:end if end >= 0 else len(text)])
        if node.type in ("struct_specifier", "union_specifier", "enum_specifier") or node.type == "declaration":
            found += _records(node)
    return found


_ATTRIBUTE = re.compile(r"\b(?:__attribute__|__attribute|__asm__|__asm|asm)\s*\(")


def _blank_attributes(text: str) -> str:
    pieces, done = [], 0
    for match in _ATTRIBUTE.finditer(text):
        if match.start() < done:
            continue
        end = _balanced(text, match.end() - 1)
        pieces += [text[done:match.start()], " " * (end - match.start())]
        done = end
    return "".join(pieces) + text[done:]


def _balanced(text: str, open_at: int) -> int:
    """The offset after the parenthesis that closes the one at `open_at` (strings skipped)."""
    depth, i = 0, open_at
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i += 1
            while i < len(text) and text[i] != ch:
                i += 2 if text[i] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _called(body: Node | None) -> tuple[str, ...]:
    """Functions a body calls by name, in order, each once."""
    found: dict[str, None] = {}
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            if function is not None and function.type == "identifier" and not function.text.startswith(b"__builtin"):
                found[function.text.decode()] = None
        stack.extend(reversed(node.children))
    return tuple(found)


def _declared(node: Node, text: str) -> list[Defined]:
    extern = any(c.type == "storage_class_specifier" and c.text == b"extern" for c in node.children)
    found = []
    for declarator in node.children_by_field_name("declarator"):
        name = _declared_name(declarator)
        if name is None:
            continue
        if alias := _ALIAS.search(text):
            # The alias attribute makes it a definition; calling it calls the function it names.
            target = _ALIAS_TARGET.match(text, alias.end())
            found.append(Defined(name.text.decode(), "alias", (target.group(1),) if target else ()))
        elif not extern and not _is_function_declarator(declarator):
            found.append(Defined(name.text.decode(), "variable"))
    return found


def _records(node: Node) -> list[Defined]:
    """Named struct/union/enum bodies defined in a declaration's type."""
    spec = node if node.type.endswith("_specifier") else node.child_by_field_name("type")
    if spec is None or spec.child_by_field_name("body") is None or spec.child_by_field_name("name") is None:
        return []
    return [Defined(spec.child_by_field_name("name").text.decode(), spec.type.split("_")[0])]


class _OwnMacros:
    """A .c file's own macros, then the tree's: the lookup for invocations of a macro their file defines."""

    def __init__(self, index: Index, tree_id: int, file_id: int, own: set[str], shared: IndexMacros) -> None:
        self.here = IndexMacros(index, file_id, tree_id, configured=False)
        self.own = own
        self.shared = shared

    def __call__(self, name: str) -> Macro | None:
        return (self.here if name in self.own else self.shared)(name)

    def alternatives(self, name: str) -> list[Macro]:
        return (self.here if name in self.own else self.shared).alternatives(name)


class _Templates:
    """Expansions of one tree's macros with placeholder arguments, each made once."""

    def __init__(self, lookup: IndexMacros | _OwnMacros) -> None:
        self.lookup = lookup
        self.made: dict[tuple[str, int, bool], list[NameTemplate]] = {}
        self.failed = 0

    def names(self, macro: str, nargs: int, block: bool) -> list[NameTemplate]:
        key = (macro, nargs, block)
        if key not in self.made:
            self.made[key] = self._make(*key)
        return self.made[key]

    def _make(self, macro: str, nargs: int, block: bool) -> list[NameTemplate]:
        text = f"{macro}({', '.join(f'__xref_{n}__' for n in range(nargs))})" + (" {}" if block else "")
        found: dict[str, NameTemplate] = {}
        # The default choice first, then every other definition of the macro itself.
        worlds: list[dict[str, Macro]] = [{}] + [{macro: alt} for alt in self.lookup.alternatives(macro)]
        tried = {macro}
        expansions = 0
        while worlds and expansions < _MAX_WORLDS:
            world = worlds.pop(0)
            expansions += 1
            try:
                tokens, order = self._expand(text, world)
            except (ExpansionError, RecursionError):
                self.failed += 1
                continue
            final = render(tokens)
            by_text = {}
            for tok in tokens:
                by_text.setdefault(tok.text, tok)
            made = [d for d in defined_names(final) if _PLACEHOLDER.search(d.name)]
            if not made:
                # Nothing defined: a function-like macro on the way may be defined empty here and
                # not elsewhere (`hidden_def` where its feature is off).
                for m in order:
                    chosen = world.get(m) or self.lookup(m)
                    if m not in tried and chosen is not None and chosen.params is not None and not chosen.body:
                        tried.add(m)
                        worlds += [{**world, m: alt} for alt in self.lookup.alternatives(m) if alt.body]
            for defined in made:
                name = defined.name
                if name in found:
                    continue
                chain = sorted(by_text[name].hide, key=lambda m: order.get(m, len(order)))
                used = [world.get(m) or self.lookup(m) for m in chain]
                found[name] = NameTemplate(name, defined.kind, " > ".join(
                    f"{d.name} ({d.where})" for d in used if d is not None),
                    defined.calls, defined.owner and block)
                # Another definition of a macro on this name's way may make other names.
                for m in chain:
                    if m in tried:
                        continue
                    tried.add(m)
                    worlds += [{**world, m: alt} for alt in self.lookup.alternatives(m)]
        return list(found.values())

    def _expand(self, text: str, world: dict[str, Macro]):
        order: dict[str, int] = {}

        def lookup(name: str) -> Macro | None:
            macro = world.get(name) or self.lookup(name)
            if macro is not None and name not in order:
                order[name] = len(order)
            return macro

        return Expander(lookup, max_steps=20_000).expand(tokenize(text)), order


def derive(conn: sqlite3.Connection, files: list[int] | None = None) -> tuple[int, int, set[str]]:
    """Replace the `source: macro` definitions of `files` (None: of the whole index); returns
    (how many went, how many came, the names)."""
    if files is None:
        removed = conn.execute("DELETE FROM defs WHERE source = 'macro'").rowcount
        conn.execute("DELETE FROM calls WHERE source = 'macro'")
    else:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS derive_files(id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM derive_files")
        conn.executemany("INSERT INTO derive_files VALUES (?)", [(i,) for i in files])
        removed = conn.execute("DELETE FROM defs WHERE source = 'macro' AND file_id IN "
                               "(SELECT id FROM derive_files)").rowcount
        conn.execute("DELETE FROM calls WHERE source = 'macro' AND file_id IN (SELECT id FROM derive_files)")
    scope = "" if files is None else "AND i.file_id IN (SELECT id FROM derive_files)"
    index = Index.on_connection(conn)
    function_like = {name for name, signature in conn.execute(
        "SELECT DISTINCT d.name, d.signature FROM defs d WHERE d.kind = 'macro' AND d.source = 'ts' "
        f"AND d.name IN (SELECT DISTINCT name FROM invocations i WHERE 1 {scope})")
        if re.match(rf"\s*#\s*define\s+{re.escape(name)}\(", signature)}
    # Invocations of a macro their own .c file defines expand with that definition.
    local: dict[int, set[str]] = {}
    only_these = "" if files is None else "AND d.file_id IN (SELECT id FROM derive_files)"
    for file_id, name in conn.execute(
            "SELECT d.file_id, d.name FROM defs d JOIN files f ON f.id = d.file_id WHERE d.kind = 'macro' "
            f"AND d.source = 'ts' AND f.path LIKE '%.c' {only_these}"):
        local.setdefault(file_id, set()).add(name)
    rows: list[tuple] = []
    calls: list[tuple] = []
    owners: list[tuple[str, int, str, int, str]] = []  # (function, file, the parser's label, line, macro)
    names: set[str] = set()
    for tree_id in index.trees:
        # Every configuration's definitions, whatever a semantic pass of an earlier run saw: the
        # stage's result must not depend on the order the runs came in.
        tree_macros = IndexMacros(index, tree_id=tree_id, configured=False)
        shared = _Templates(tree_macros)
        own: dict[int, _Templates] = {}
        for file_id, line, macro, args, block in conn.execute(
                "SELECT i.file_id, i.line, i.name, i.args, i.block FROM invocations i "
                "JOIN files f ON f.id = i.file_id WHERE f.tree_id = ? AND f.path NOT LIKE '%.S' "
                f"{scope} ORDER BY i.name, i.file_id, i.line", (tree_id,)):
            if macro not in function_like:
                continue
            values = json.loads(args)
            templates = shared
            if macro in local.get(file_id, ()):
                templates = own.get(file_id) or own.setdefault(
                    file_id, _Templates(_OwnMacros(index, tree_id, file_id, local[file_id], tree_macros)))
            for template in templates.names(macro, len(values), bool(block)):
                name = _fill(template.name, values)
                if name is None:
                    continue
                names.add(name)
                rows.append((name, file_id, line, 0, template.kind, "", "", f"{macro}({', '.join(values)})"[:200],
                             "macro", template.chain))
                for callee in template.calls:
                    callee_name = _fill(callee, values)
                    if callee_name is not None:
                        calls.append((name, callee_name, file_id, line, "direct", "", "", "macro"))
                if template.owner:
                    first = values[0] if values and _IDENTIFIER.fullmatch(values[0]) else None
                    owners.append((name, file_id, f"{macro}({first})" if first else macro, line, macro))
    conn.executemany("INSERT INTO defs VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO calls VALUES (?,?,?,?,?,?,?,?)", calls)
    # The body after `SYSCALL_DEFINE6(sendto, ...)` is __do_sys_sendto's: the calls and references
    # the parser found in it belong to that function, not to the label it gave the block.
    # The invocation itself is no call.
    conn.executemany("DELETE FROM calls WHERE file_id = ? AND caller = ? AND line = ? AND callee = ?",
                     [(file_id, label, line, macro) for _, file_id, label, line, macro in owners])
    for table, column in (("calls", "caller"), ("scopes", "name")):
        conn.executemany(f"UPDATE {table} SET {column} = ? WHERE file_id = ? AND {column} = ?",
                         [owner[:3] for owner in owners])
    return removed, len(rows), names


def _fill(template: str, values: list[str]) -> str | None:
    """The template's name with the invocation's arguments in; None when one is no identifier."""
    missing = False

    def value(match: re.Match) -> str:
        nonlocal missing
        n = int(match.group(1))
        if n >= len(values) or not _IDENTIFIER.fullmatch(values[n]):
            missing = True
            return ""
        return values[n]

    name = _PLACEHOLDER.sub(value, template)
    return None if missing or not _IDENTIFIER.fullmatch(name) else name
