"""The tree-sitter pass over one C file: definitions, function bodies, calls, registrations.

It reads every `#if` branch and tolerates what macros do to the grammar; one query
collects the interesting nodes and small local walks turn each into a fact.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

import tree_sitter_c
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

from indexer.facts import Call, Definition, FileFacts, Include, Invocation, Registration, Scope
from indexer.identifiers import C_KEYWORDS, identifier_lines, strip_noise
from xref.store import struct_of_type

_QUERY = """
(function_definition) @function
(preproc_def) @macro
(preproc_function_def) @macro
(struct_specifier body: (field_declaration_list)) @record
(union_specifier body: (field_declaration_list)) @record
(enum_specifier body: (enumerator_list)) @enum
(type_definition) @typedef
(translation_unit (declaration) @declaration)
(preproc_if (declaration) @declaration)
(preproc_ifdef (declaration) @declaration)
(preproc_else (declaration) @declaration)
(preproc_elif (declaration) @declaration)
(linkage_specification (declaration) @declaration)
(declaration_list (declaration) @declaration)
(call_expression) @call
(initializer_pair) @initializer
(assignment_expression left: (field_expression)) @assignment
(translation_unit
  (expression_statement (call_expression function: (identifier) arguments: (argument_list))) @macro_body)
(if_statement condition: (parenthesized_expression (call_expression function: (identifier) @_hint))) @hinted_if
(labeled_statement) @labeled
"""


# `static void __section(".inittext") f(int)`, `static inline __printf(1, 2) int f(...)`: an
# annotation macro with arguments between declaration words and the declarator. tree-sitter
# cannot parse it, and its error recovery can swallow the rest of the file, so it is blanked
# (same length, newlines kept) before parsing. Only at the start of a declaration line,
# after declaration words and before more of the declaration on the same line, or before the
# next line's declarator.
_ANNOTATION = re.compile(
    rb"^([ \t]*(?:[A-Za-z_]\w*[ \t]+\**[ \t]*)*)"
    rb"(__[A-Za-z_]\w*[ \t]*\((?:[^()\n]|\([^()\n]*\))*\))"
    rb"(?=[ \t]*\**[ \t]*[A-Za-z_]"
    rb"|(?P<wrapped>[ \t]*\n[ \t]*(?:[A-Za-z_]\w*[ \t]+|\*+[ \t]*)*\**[A-Za-z_]\w*[ \t]*\())",
    re.M,
)
# `static void __printf(2, 3)` with the function's name on the next line: blanked when its
# arguments are single numbers, strings or words (not `void`), as an annotation's are, and a
# function's parameters (`__lock_timer(timer_t id)`, before a `__acquires(...)` line) are not.
_ANNOTATION_ARGUMENTS = re.compile(rb"\(\s*(?!void\s*\))(?:[\w.\"]+\s*(?:,\s*[\w.\"]+\s*)*)?\)$")
_NOT_DECLARATION_WORDS = {b"return", b"case", b"goto", b"else", b"do", b"sizeof"}


_ANNOTATION_HINT = re.compile(rb"__[A-Za-z_]\w*[ \t]*\(")


def _blank_annotations(source: bytes) -> bytes:
    # Only lines holding `__word(` can match; finding those first spares a regex attempt at
    # every line start of the file.
    starts = sorted({source.rfind(b"\n", 0, m.start()) + 1 for m in _ANNOTATION_HINT.finditer(source)})
    if not starts:
        return source
    pieces: list[bytes] = []
    done = 0
    for start in starts:
        match = _ANNOTATION.match(source, start)
        if match is None or start < done:
            continue
        words = match.group(1).split()
        if any(w.strip(b"*") in _NOT_DECLARATION_WORDS for w in words):
            continue
        if match.group("wrapped") and not (words and _ANNOTATION_ARGUMENTS.search(match.group(2))):
            continue
        pieces.append(source[done : match.start(2)])
        pieces.append(b" " * (match.end(2) - match.start(2)))
        done = match.end(2)
    if not pieces:
        return source
    pieces.append(source[done:])
    return b"".join(pieces)


# `do { ... } while_each_thread(g, t);`: a macro that ends a do-while with its `while (...)`.
# tree-sitter sees a `do` with no `while`, and its recovery swallowed the rest of the file
# (kernel/exit.c's do_wait and kernel_wait4). The name after `while` is blanked (same length),
# leaving `while (g, t);`, which parses.
_LOOP_TAIL = re.compile(rb"\}[ \t]*while(_\w+)[ \t]*\(")


def _blank_loop_tails(source: bytes) -> bytes:
    if b"while_" not in source:
        return source
    return _LOOP_TAIL.sub(lambda m: m.group(0).replace(m.group(1), b" " * len(m.group(1)), 1), source)


# `asmlinkage __visible void __softirq_entry __do_softirq(void)`, `static void __always_unused
# check(void)`: with words before the name that tree-sitter cannot tell from types, it may read
# `NAME (void)` as a parenthesized declarator of type NAME and the words before it as
# declarations, and the function is lost. In a function's head with such a word, `(void)` is
# blanked to `(    )`, which only a parameter list can be, and so are its annotations (`notrace`,
# `asmlinkage`, and `__word` after the first unknown word, which may be the type: `__u32`),
# which leaves the words of the type (same length throughout; the definition's text is the
# source's).
_VOID_HEAD = re.compile(
    rb"^[ \t]*((?:[A-Za-z_]\w*[ \t]+\**[ \t]*)+)\**[A-Za-z_]\w*[ \t]*\((void)\)[ \t]*\n[ \t]*\{", re.M)
_C_TYPE_WORDS = {b"static", b"inline", b"extern", b"const", b"volatile", b"void", b"char", b"short", b"int",
                 b"long", b"unsigned", b"signed", b"float", b"double", b"_Bool", b"bool", b"register"}
_TAGS = {b"struct", b"union", b"enum"}
_ANNOTATION_WORDS = {b"asmlinkage", b"notrace", b"noinline", b"noinstr", b"__always_inline", b"__init", b"__visible"}
_HEAD_WORD = re.compile(rb"[A-Za-z_]\w*")


def _unknown_words(head: re.Match) -> list[tuple[int, int]]:
    """Where the words of a declaration's head are that are neither C's type words nor a tag's name."""
    unknown, tagged = [], False
    for word in _HEAD_WORD.finditer(head.group(1)):
        text = word.group()
        if text in _TAGS:
            tagged = True
            continue
        if not tagged and text not in _C_TYPE_WORDS:
            unknown.append((head.start(1) + word.start(), head.start(1) + word.end()))
        tagged = False
    return unknown


def _blank_void_heads(source: bytes) -> bytes:
    if b"(void)" not in source:
        return source
    out = None
    for match in _VOID_HEAD.finditer(source):
        unknown = _unknown_words(match)
        if not unknown:
            continue
        if out is None:
            out = bytearray(source)
        out[match.start(2):match.end(2)] = b"    "
        for i, (start, end) in enumerate(unknown):
            if source[start:end] in _ANNOTATION_WORDS or (i and source.startswith(b"__", start)):
                out[start:end] = b" " * (end - start)
    return source if out is None else bytes(out)


# A body tree-sitter cannot read at all (kernel/bpf/core.c's interpreter: labels that macros
# paste, `ALU(ADD, +)` as statements, `#define`s between them; lib/siphash.c's `POSTAMBLE` with
# no `;` before the `}`) can leave its `{` as a bare token of the file, or of an ERROR at its top,
# and every function after it as loose tokens too. In such a body the lines that are a macro
# alone (a capitalised name, its arguments, no `;`) are blanked first, and the file parsed again;
# if the body still fails, all of it but its directives is blanked, up to the `}` that starts a
# line (where a function ends in kernel and GNU style alike): the function keeps its definition,
# its calls are read from the tree of the file as it is, and the rest of the file is read.
# Offsets and lines stay the source's.
_BODY_END = re.compile(rb"\n\}")
_LONE_MACRO = re.compile(rb"^[ \t]*[A-Z_][A-Z0-9_]*[ \t]*(?:\([^;{}\n]*\))?[ \t]*$", re.M)
_RESCUES = 4  # rounds of blanking: a blanked body may let the parser reach another it cannot read


_DIRECTIVE_LINES = re.compile(rb"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)


def _blank_code(body: bytes) -> bytes:
    """The body with all but its preprocessor directives blanked (a `#define` there is the
    file's: lib/crc32.c's DO_CRC), newlines kept."""
    out, pos = [], 0
    for match in _DIRECTIVE_LINES.finditer(body):
        out.append(re.sub(rb"[^\n]", b" ", body[pos:match.start()]))
        out.append(match.group())
        pos = match.end()
    out.append(re.sub(rb"[^\n]", b" ", body[pos:]))
    return b"".join(out)


def _top_level(root: Node):
    """The file's top-level nodes, and those of the top-level ERROR nodes the parser made."""
    for node in root.children:
        if node.type == "ERROR":
            yield from node.children
        else:
            yield node


def _parse_rescuing_bodies(parser: Parser, parsed: bytes) -> tuple[Tree, Tree, list[tuple[int, int]]]:
    """The tree of the file with the bodies it cannot read blanked, the tree of the file as it
    is, and the (start, end) offsets of the bodies blanked whole (their calls are read from the
    second tree)."""
    tree = first = parser.parse(parsed)
    tried: set[int] = set()  # bodies whose lone macros are blanked already
    blanked: list[tuple[int, int]] = []
    for _ in range(_RESCUES):
        if not tree.root_node.has_error:
            break
        spans = []
        for node in _top_level(tree.root_node):
            before = node.prev_sibling
            if node.type == "{" and before is not None and before.type == "function_declarator":
                end = _BODY_END.search(parsed, node.end_byte)
                if end is not None and (not spans or node.end_byte >= spans[-1][1]):
                    spans.append((node.end_byte, end.start()))
        if not spans:
            break
        out = bytearray(parsed)
        for start, end in spans:
            body = parsed[start:end]
            if start not in tried:
                tried.add(start)
                body = _LONE_MACRO.sub(lambda m: b" " * len(m.group()), body)
                if body != parsed[start:end]:
                    out[start:end] = body
                    continue
            out[start:end] = _blank_code(body)
            blanked.append((start, end))
        parsed = bytes(out)
        tree = parser.parse(parsed)
    return tree, first, blanked


@lru_cache(maxsize=1)
def _machinery() -> tuple[Parser, Query]:
    language = Language(tree_sitter_c.language())
    return Parser(language), Query(language, _QUERY)


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _line(node: Node) -> int:
    return node.start_point[0] + 1


def _one_line(text: str, limit: int = 200) -> str:
    squeezed = " ".join(text.split())
    return squeezed if len(squeezed) <= limit else squeezed[: limit - 3] + "..."


def _declared_name(declarator: Node | None) -> Node | None:
    """The identifier a (possibly nested) declarator declares."""
    while declarator is not None:
        if declarator.type in ("identifier", "field_identifier", "type_identifier"):
            return declarator
        inner = declarator.child_by_field_name("declarator")
        if inner is None:
            # parenthesized_declarator has no field name for its content
            inner = next((c for c in declarator.named_children if c.type != "attribute_specifier"), None)
        declarator = inner
    return None


def _is_function_declarator(declarator: Node | None) -> bool:
    """True when the declarator declares a function (not a pointer to one)."""
    while declarator is not None:
        if declarator.type == "function_declarator":
            inner = declarator.child_by_field_name("declarator")
            return inner is not None and inner.type in ("identifier", "field_identifier")
        if declarator.type in ("pointer_declarator", "init_declarator", "attributed_declarator"):
            declarator = declarator.child_by_field_name("declarator") or (
                declarator.named_children[0] if declarator.named_children else None
            )
            continue
        return False
    return False


_TYPE_NODES = {"primitive_type", "type_identifier", "sized_type_specifier", "struct_specifier", "union_specifier",
               "enum_specifier", "macro_type_specifier"}


def _type_text(decl: Node) -> str:
    type_node = decl.child_by_field_name("type")
    return _text(type_node)


# Names every kernel file uses as a variable that are macros for a call: `current->mm` is
# get_current()'s task_struct's mm (the store resolves the return type).
_CALL_MACROS = {"current": "()get_current"}


class _FileExtractor:
    def __init__(self, source: bytes) -> None:
        self.source = source
        self.facts = FileFacts()
        self.scope_starts: list[int] = []
        self.scope_nodes: list[tuple[int, int, str, Node]] = []
        self.locals_cache: dict[int, dict[str, tuple[str, int]]] = {}
        self.params_cache: dict[int, dict[str, tuple[str, int]]] = {}
        self.pointer_params: dict[int, set[str]] = {}  # a function's parameters that point to functions
        self.globals: dict[str, str] = {}  # file-scope variable -> its type
        # Function-pointer fields passed to a call: (caller, callee, position, the call it would be)
        self.field_arguments: list[tuple[str, str, int, Call]] = []

    # -- scopes ---------------------------------------------------------------

    def add_scope(self, name: str, body: Node, scope_node: Node, start: Node | None = None) -> None:
        """`scope_node` holds the parameters; the scope begins at `start` (by default, there)."""
        start = start or scope_node
        self.scope_nodes.append((start.start_byte, body.end_byte, name, scope_node))
        self.facts.scopes.append(Scope(name, _line(start), body.end_point[0] + 1))

    def finish_scopes(self) -> None:
        self.scope_nodes.sort(key=lambda s: s[0])
        self.scope_starts = [s[0] for s in self.scope_nodes]

    def enclosing(self, node: Node) -> tuple[str, Node | None]:
        i = bisect.bisect_right(self.scope_starts, node.start_byte) - 1
        while i >= 0:
            start, end, name, scope_node = self.scope_nodes[i]
            if node.end_byte <= end:
                return name, scope_node
            i -= 1
        return "", None

    # -- local types: parameters and local variables of the enclosing function ---

    def params_of(self, scope_node: Node | None) -> dict[str, tuple[str, int]]:
        """name -> (type text, 1-based position) of the parameters of the function around a node."""
        if scope_node is None:
            return {}
        key = scope_node.start_byte
        cached = self.params_cache.get(key)
        if cached is not None:
            return cached
        found: dict[str, tuple[str, int]] = {}
        pointers = self.pointer_params[key] = set()
        if scope_node.type == "function_definition":
            declarator = _function_declarator(scope_node)
            params = declarator.child_by_field_name("parameters") if declarator is not None else None
            position = 0
            for param in params.named_children if params is not None else []:
                if param.type != "parameter_declaration":
                    continue
                position += 1
                name = _declared_name(param.child_by_field_name("declarator"))
                if name is not None:
                    found[_text(name)] = (_type_text(param) + _pointer_suffix(param), position)
                    if _points_to_function(param):
                        pointers.add(_text(name))
        self.params_cache[key] = found
        return found

    def locals_of(self, scope_node: Node | None) -> dict[str, tuple[str, int]]:
        """name -> (type text, parameter position or 0) for the function around a node."""
        if scope_node is None:
            return {}
        key = scope_node.start_byte
        cached = self.locals_cache.get(key)
        if cached is not None:
            return cached
        found: dict[str, tuple[str, int]] = dict(self.params_of(scope_node))
        if scope_node.type == "function_definition":
            body = scope_node.child_by_field_name("body")
        else:
            body = scope_node.next_named_sibling
        if body is not None:
            self._collect_locals(body, found)
        self.locals_cache[key] = found
        return found

    def _collect_locals(self, node: Node, found: dict[str, tuple[str, int]]) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            for child in current.named_children:
                if child.type == "declaration":
                    type_text = _type_text(child)
                    for declarator in child.children_by_field_name("declarator"):
                        name = _declared_name(declarator)
                        if name is not None:
                            found.setdefault(_text(name), (type_text + _pointer_suffix_of(declarator), 0))
                elif child.type in ("compound_statement", "if_statement", "for_statement", "while_statement",
                                    "do_statement", "switch_statement", "case_statement", "else_clause",
                                    "labeled_statement", "preproc_if", "preproc_ifdef", "preproc_else",
                                    "preproc_elif"):
                    stack.append(child)

    # -- the struct behind a field expression --------------------------------

    def struct_of_field_base(self, expr: Node, locals_: dict[str, tuple[str, int]]) -> str:
        """For `a->b->f` give the struct of `a->b` as far as syntax shows: 'T:b' chains.

        Returns "struct_name" when the base is a variable of known struct type and there is
        no intermediate field, or "struct_name.field1.field2" for the store to resolve
        through member types; "" when unknown.
        """
        base = expr.child_by_field_name("argument")
        chain: list[str] = []
        while base is not None and base.type in ("field_expression", "parenthesized_expression",
                                                 "subscript_expression", "pointer_expression"):
            if base.type == "field_expression":
                chain.append(_text(base.child_by_field_name("field")))
                base = base.child_by_field_name("argument")
            elif base.type in ("subscript_expression", "pointer_expression"):
                base = base.child_by_field_name("argument")
            else:
                base = base.named_children[0] if base.named_children else None
        if base is None:
            return ""
        if base.type == "identifier":
            name = _text(base)
            type_text = locals_.get(name, ("", 0))[0] or self.globals.get(name, "") or _CALL_MACROS.get(name, "")
        elif base.type == "call_expression":
            # skb_dst(skb)->output: the function's return type, resolved in the store
            callee = base.child_by_field_name("function")
            type_text = "()" + _text(callee) if callee is not None and callee.type == "identifier" else ""
        else:
            type_text = ""
        if not type_text:
            return ""
        struct = type_text if type_text.startswith("()") else struct_of_type(type_text)
        return ".".join([struct] + list(reversed(chain))) if struct else ""



# Typedef names of function pointer types, by the kernel's and glibc's naming habits
# (`irq_handler_t`, `filldir_t`, `work_func_t`, `rcu_callback_t`, `bpf_func_t`).
_FUNCTION_TYPEDEF = re.compile(r"(?:_fn|_func|_cb|_proc|_actor|_callback|_handler|filldir)(?:_t)?$")


def _points_to_function(param: Node) -> bool:
    """Whether a parameter holds a function: `int getfrag(void *, char *)`, `void (*fn)(void)`,
    or a type named as a function pointer typedef is."""
    declarator = param.child_by_field_name("declarator")
    while declarator is not None and declarator.type in ("pointer_declarator", "parenthesized_declarator"):
        declarator = declarator.child_by_field_name("declarator") if declarator.type == "pointer_declarator" \
            else next(iter(declarator.named_children), None)
    if declarator is not None and declarator.type == "function_declarator":
        return True
    type_node = param.child_by_field_name("type")
    return type_node is not None and type_node.type == "type_identifier" and \
        _FUNCTION_TYPEDEF.search(_text(type_node)) is not None


def _pointer_suffix(param: Node) -> str:
    return _pointer_suffix_of(param.child_by_field_name("declarator"))


def _pointer_suffix_of(declarator: Node | None) -> str:
    stars = 0
    while declarator is not None and declarator.type in ("pointer_declarator", "init_declarator"):
        if declarator.type == "pointer_declarator":
            stars += 1
        declarator = declarator.child_by_field_name("declarator")
    return " " + "*" * stars if stars else ""


_PREPROCESSOR_BLOCKS = frozenset(("preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"))


def _field_declarations(body: Node):
    """A struct body's member declarations, those in its `#if` blocks too (every branch)."""
    for child in body.named_children:
        if child.type == "field_declaration":
            yield child
        elif child.type in _PREPROCESSOR_BLOCKS:
            yield from _field_declarations(child)


def _function_declarator(func: Node) -> Node | None:
    """The `name(params)` part of a function definition, under any pointer declarators."""
    head = _misparsed_head(func)
    declarator = func.child_by_field_name("declarator") if head is None else head
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    return declarator


def _misparsed_head(func: Node) -> Node | None:
    """`DEFINE_PER_CPU(struct s, v) __aligned(64);` then, lines later, `static void f(void) { ... }`:
    tree-sitter reads the first line's `__aligned(64)` as a K&R function's declarator, what follows
    as its parameter declarations, and the real function's head as an error just before the body.
    That error's declarator, when there is one (the real function's); else None."""
    body = func.child_by_field_name("body")
    before = body.prev_named_sibling if body is not None else None
    while before is not None and before.type == "comment":
        before = before.prev_named_sibling
    if before is None or before.type != "ERROR":
        return None
    for child in reversed(before.named_children):
        if child.type in ("function_declarator", "pointer_declarator"):
            declarator = child
            while declarator is not None and declarator.type != "function_declarator":
                declarator = declarator.child_by_field_name("declarator")
            name = _declared_name(declarator.child_by_field_name("declarator")) if declarator is not None else None
            # `if (x)` in a body the error recovery cut up is no function's head
            return child if name is not None and name.text not in C_KEYWORDS else None
    return None


def _function_name(func: Node) -> Node | None:
    declarator = _function_declarator(func)
    return None if declarator is None else _declared_name(declarator.child_by_field_name("declarator"))


# The kernel's wrappers that call a function pointer after comparing it with likely targets
# (include/linux/indirect_call_wrapper.h): `INDIRECT_CALL_2(f, f2, f1, args...)` calls f2 or f1
# directly when f is one of them, else f. Name -> how many candidates follow the pointer.
INDIRECT_CALLS = {"INDIRECT_CALL_1": 1, "INDIRECT_CALL_2": 2, "INDIRECT_CALL_3": 3, "INDIRECT_CALL_4": 4,
                  "INDIRECT_CALL_INET": 2, "INDIRECT_CALL_INET_1": 1}


def _record_indirect_call(ex: _FileExtractor, node: Node, caller: str, scope_node: Node | None,
                          params: dict[str, tuple[str, int]], candidates: int) -> None:
    """`INDIRECT_CALL_2(sk->sk_prot->sendmsg, tcp_sendmsg, udp_sendmsg, sk, msg, size)` as the
    calls its expansion makes: through the field (or parameter) it names, and directly to each
    candidate (which the call graph reads as INDIRECT_CALL's guesses at that site)."""
    args = node.child_by_field_name("arguments")
    named = args.named_children if args is not None else []
    if not named:
        return
    line = node.start_point[0] + 1
    pointer = named[0]
    calls = ex.facts.calls
    if pointer.type == "field_expression":
        struct = ex.struct_of_field_base(pointer, ex.locals_of(scope_node))
        calls.append(Call(caller, _text(pointer.child_by_field_name("field")), line, "field", struct=struct,
                          via=_one_line(_text(pointer))))
    elif pointer.type == "identifier" and _text(pointer) in params:
        calls.append(Call(caller, _text(pointer), line, "param", via=str(params[_text(pointer)][1])))
    for candidate in named[1:1 + candidates]:
        if candidate.type == "identifier":
            calls.append(Call(caller, _text(candidate), line, "direct"))


# Macros whose first argument names the field of a union or struct they call through, every
# function registered there (the LSM's `call_int_hook(file_permission, 0, file)` calls each
# module's hook for file_permission), and macros registering a function (second argument) in
# such a field (first argument): `LSM_HOOK_INIT(file_permission, apparmor_file_permission)`.
# Static calls are alike, one key per name (include/linux/static_call.h): `static_call_mod(
# might_resched)()` calls what `DECLARE_STATIC_CALL(might_resched, __cond_resched)`, the
# `DEFINE_STATIC_CALL*`s and `static_call_update` set the key `might_resched` to.
FIELD_CALLS = {"call_int_hook": "security_list_options", "call_void_hook": "security_list_options",
               "static_call": "static_call_key", "static_call_mod": "static_call_key",
               "static_call_cond": "static_call_key"}
FIELD_REGISTRATIONS = {"LSM_HOOK_INIT": "security_list_options", "DECLARE_STATIC_CALL": "static_call_key",
                       "DEFINE_STATIC_CALL": "static_call_key", "DEFINE_STATIC_CALL_RET0": "static_call_key",
                       "static_call_update": "static_call_key"}


def _record_field_macro(ex: _FileExtractor, node: Node, caller: str, macro: str) -> None:
    """A use of one of FIELD_CALLS or FIELD_REGISTRATIONS as the call or registration it makes."""
    args = node.child_by_field_name("arguments")
    named = args.named_children if args is not None else []
    line = node.start_point[0] + 1
    if not named or named[0].type != "identifier":
        return
    if macro in FIELD_CALLS:
        ex.facts.calls.append(Call(caller, _text(named[0]), line, "field", struct=FIELD_CALLS[macro],
                                   via=f"{macro}({_text(named[0])})"))
    elif len(named) > 1 and (function := _value_name(named[1])):
        ex.facts.registrations.append(Registration(FIELD_REGISTRATIONS[macro], _text(named[0]), function, line,
                                                   "initializer", context=caller))


# x86's paravirt calls: `PVOP_VCALL0(mmu.flush_tlb_user)`, `PVOP_CALL1(unsigned long, cpu.read_cr0)`
# call pv_ops' member through inline assembly (arch/x86/include/asm/paravirt_types.h), where the
# tree sees no call; each is the call through that field of struct paravirt_patch_template's member
# (pv_ops is initialized `.mmu.flush_tlb_user = native_flush_tlb_local` in arch/x86/kernel/paravirt.c).
# Read from the text: tree-sitter cannot parse a return type (`unsigned long`) as an argument.
_PARAVIRT_MACRO = re.compile(r"PVOP_(?:ALT_)?V?CALL(?:EE)?\d")
_PARAVIRT_CALL = re.compile(rb"\b(PVOP_(?:ALT_)?V?CALL(?:EE)?\d)[ \t]*\([ \t\n]*"
                            rb"(?:[^,()]*,[ \t\n]*)?"  # the return type, if any
                            rb"([A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)+)[ \t\n]*[,)]")


def _paravirt_calls(code: bytes, scopes: list[Scope]) -> list[Call]:
    if b"PVOP_" not in code:
        return []
    calls = []
    for match in _PARAVIRT_CALL.finditer(code):
        line = code.count(b"\n", 0, match.start()) + 1
        around = [s for s in scopes if s.start <= line <= s.end]
        if not around:
            continue  # a macro's own definition
        caller = max(around, key=lambda s: s.start).name
        members = re.sub(rb"\s", b"", match.group(2)).decode().split(".")
        struct = ".".join(["paravirt_patch_template", *members[:-1]])
        calls.append(Call(caller, members[-1], line, "field", struct=struct,
                          via=f"{match.group(1).decode()}({'.'.join(members)})"))
    return calls


# What _value_name looks inside of, besides a plain identifier.
_WRAPPED_VALUE = frozenset(("pointer_expression", "cast_expression", "parenthesized_expression"))


def _value_names(value: Node | None) -> list[str]:
    """The functions a registration names: `_value_name`'s one, or each of `c ? f : g`."""
    if value is not None and value.type == "conditional_expression":
        return [name for part in ("consequence", "alternative")
                for name in _value_names(value.child_by_field_name(part))]
    name = _value_name(value)
    return [name] if name else []


def _value_name(value: Node | None) -> str:
    """The function a registration names: `f`, `&f`, `(cast)f`."""
    while value is not None:
        if value.type == "identifier":
            return _text(value)
        if value.type == "pointer_expression" and value.children and value.children[0].type == "&":
            value = value.child_by_field_name("argument")
        elif value.type == "cast_expression":
            value = value.child_by_field_name("value")
        elif value.type == "parenthesized_expression" and value.named_children:
            value = value.named_children[0]
        else:
            return ""
    return ""


def _initializer_owner(pair: Node) -> tuple[str, list[str], str]:
    """Walk up from `.field = value` to the declaration: (struct, outer fields, variable)."""
    fields: list[str] = []
    node = pair.parent  # initializer_list
    while node is not None:
        parent = node.parent
        if parent is None:
            return "", fields, ""
        if parent.type == "initializer_pair":
            designator = parent.child_by_field_name("designator")
            if designator is not None and designator.type == "field_designator":
                fields.insert(0, _text(designator.named_children[0]) if designator.named_children else "")
            node = parent.parent
            continue
        if parent.type == "initializer_list":  # element of an array of structs
            node = parent
            continue
        if parent.type == "init_declarator":
            decl = parent.parent
            name = _declared_name(parent.child_by_field_name("declarator"))
            type_text = _type_text(decl) if decl is not None else ""
            return struct_of_type(type_text), fields, _text(name)
        if parent.type == "compound_literal_expression":
            return struct_of_type(_text(parent.child_by_field_name("type"))), fields, ""
        return "", fields, ""
    return "", fields, ""


def _initializer_struct(pair: Node, inner: list[str] | None = None) -> tuple[str, str]:
    """(struct path the store resolves, variable) of an initializer's `.field = value`: the
    declaration's struct, then the fields leading down to it (`ops.ctx` for `.ctx.actor`)."""
    struct, outer, variable = _initializer_owner(pair)
    outer += inner or []
    return (".".join([struct] + outer) if struct and outer else struct), variable


# A line that is neither blank, nor a directive, nor the continuation of one (comments and
# literals already blanked), and a call in an `#if` condition (`#if IS_ENABLED(X)`), which the
# tree records as a call. Files without either (register headers, uapi constant lists: a third
# of the kernel's bytes) hold nothing a syntax tree would add to what regexes find.
_CODE_LINE = re.compile(rb"\n[ \t\r\f\v]*[^#\s]")
_IF_CALL = re.compile(rb"#[ \t]*(?:el)?if\b[^\n]*?\b(?!defined\b)[A-Za-z_]\w*[ \t]*\(")


def _directives_only(code: bytes) -> bool:
    if re.match(rb"[ \t\r\f\v]*[^#\s]", code):
        return False
    match = _CODE_LINE.search(code)
    while match is not None:
        if not code.endswith(b"\\", 0, match.start()) and not code.endswith(b"\\\r", 0, match.start()):
            return False
        match = _CODE_LINE.search(code, match.end())
    return _IF_CALL.search(code) is None


_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)


def _extract_directives(source: bytes, code: bytes, includes: list[tuple[int, bytes]]) -> FileFacts:
    """The facts of a file of preprocessor directives only, the same as the syntax tree gives."""
    facts = FileFacts()
    lines = source.split(b"\n")
    conditions = _define_conditions(code)
    line, counted = 1, 0
    for match in _DEFINE.finditer(code):
        line += code.count(b"\n", counted, match.start())
        counted = match.start()
        text = lines[line - 1].decode("utf-8", "replace")
        facts.definitions.append(Definition(match.group(1).decode(), "macro", line, _one_line(text),
                                            scope=conditions.get(line, "")))
    for match in _FUNCTION_DEFINE.finditer(code):
        params = {p.strip() for p in match.group(2).split(b",")} - {b"", b"..."}
        line = code.count(b"\n", 0, match.start(3)) + 1
        facts.calls += _body_calls(match.group(1).decode(), params, match.group(3), line)
    facts.includes = [_include(source, offset, text) for offset, text in includes]
    facts.references = identifier_lines(code, stripped=True)
    return facts


_CONDITIONAL = re.compile(rb"^[ \t]*#[ \t]*(ifdef|ifndef|if|elif|else|endif|define)\b((?:[^\n]*\\\n)*[^\n]*)", re.M)


def _define_conditions(code: bytes) -> dict[int, str]:
    """The `#if` conditions each `#define` line sits under, as one C expression (`A && !(B)`).

    An include guard (a first directive `#ifndef X` followed by `#define X`) is no condition.
    """
    found: dict[int, str] = {}
    groups: list[list[str]] = []  # per open #if: the negated earlier branches, then the current branch
    line, counted = 1, 0
    directives = list(_CONDITIONAL.finditer(code))
    guard = (len(directives) > 1 and directives[0].group(1) == b"ifndef"
             and directives[1].group(1) == b"define"
             and directives[0].group(2).split()[:1] == directives[1].group(2).split()[:1])
    for k, match in enumerate(directives):
        word = match.group(1)
        if word == b"define":
            # Most defines sit under no condition (a register header's thousands): only those
            # under one need their line counted.
            if any(groups):
                line += code.count(b"\n", counted, match.start())
                counted = match.start()
                found[line] = " && ".join(t for group in groups for t in group)
            continue
        text = " ".join(match.group(2).replace(b"\\\n", b" ").decode("utf-8", "replace").split())
        if word in (b"if", b"ifdef", b"ifndef"):
            if k == 0 and guard:
                groups.append([])
                continue
            name = text.split()[0] if text.split() else ""
            cond = {b"if": f"({text})", b"ifdef": f"defined({name})", b"ifndef": f"!defined({name})"}[word]
            groups.append([cond])
        elif word in (b"elif", b"else") and groups and groups[-1]:
            previous = groups[-1][-1]
            negated = previous[1:] if previous.startswith("!defined(") else f"!{previous}"
            groups[-1][-1] = negated
            if word == b"elif":
                groups[-1].append(f"({text})")
        elif word == b"endif" and groups:
            groups.pop()
    return found


_TOP_LEVEL = re.compile(rb"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*|[{}]|^(?:(?:static|extern)[ \t]+)?([A-Za-z_]\w*)[ \t]*\(",
                        re.M)
_PARENS = re.compile(rb"[()]")
_MAX_INVOCATION = 8000


def _invocations(code: bytes, functions: set[int]) -> list[Invocation]:
    """Function-like uses at file scope, each starting a line (`functions`: lines where a function
    definition's name is, which look the same in GNU style)."""
    found: list[Invocation] = []
    depth = 0
    line, counted = 1, 0
    pos = 0
    while (match := _TOP_LEVEL.search(code, pos)) is not None:
        pos = match.end()
        token = code[match.start():match.start() + 1]
        if token == b"{":
            depth += 1
            continue
        if token == b"}":
            depth = max(depth - 1, 0)
            continue
        if match.group(1) is None or depth:
            continue
        line += code.count(b"\n", counted, match.start())
        counted = match.start()
        name = match.group(1)
        if name in C_KEYWORDS or line in functions:
            continue
        open_at = match.end() - 1
        close = _closing(code, open_at)
        if close is None:
            continue
        pos = close + 1
        if close - open_at > _MAX_INVOCATION:
            continue
        block = _block_follows(code, close + 1)
        found.append(Invocation(name.decode(), line, _split_args(code[open_at + 1:close]), block))
    return found


_DIRECTIVE_LINE = re.compile(rb"\s*#[^\n]*")


def _block_follows(code: bytes, at: int) -> bool:
    """Whether a `{` comes next, past white space and preprocessor lines (`SYSCALL_DEFINE5(clone,
    ...)` in the `#else` branch, then `#endif`, then the body)."""
    while (directive := _DIRECTIVE_LINE.match(code, at)) is not None:
        at = directive.end()
    return code[at:at + 200].lstrip()[:1] == b"{"


def _closing(code: bytes, open_at: int, brackets: re.Pattern[bytes] = _PARENS) -> int | None:
    """Where the bracket opened at `open_at` closes (`brackets` matches the opening and closing one)."""
    depth = 0
    opening = code[open_at:open_at + 1]
    for bracket in brackets.finditer(code, open_at):
        depth += 1 if bracket.group() == opening else -1
        if depth == 0:
            return bracket.start()
    return None


def _split_args(text: bytes) -> list[str]:
    """Arguments at parenthesis depth 0, as the preprocessor splits them."""
    args: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in b"([{":
            depth += 1
        elif ch in b")]}":
            depth -= 1
        elif ch == 44 and depth == 0:  # ","
            args.append(" ".join(text[start:i].decode("utf-8", "replace").split()))
            start = i + 1
    last = " ".join(text[start:].decode("utf-8", "replace").split())
    return args + [last] if args or last else []


_INCLUDE_TARGET = re.compile(rb"include(?:_next)?[ \t]*(<[^>\n]*>|\"[^\"\n]*\"|[^\s/]+)")


def _include(source: bytes, offset: int, text: bytes) -> Include:
    match = _INCLUDE_TARGET.search(text)
    raw = match.group(1).decode("utf-8", "replace") if match else ""
    return Include(raw.strip('<>"'), source.count(b"\n", 0, offset) + 1, raw.startswith("<"))


def includes_of(source: bytes) -> list[Include]:
    found: list[tuple[int, bytes]] = []
    strip_noise(source, found)
    return [_include(source, offset, text) for offset, text in found]


def extract_c(source: bytes) -> FileFacts:
    includes: list[tuple[int, bytes]] = []
    code = strip_noise(source, includes)
    if _directives_only(code):
        return _extract_directives(source, code, includes)
    parser, query = _machinery()
    parsed = _blank_void_heads(_blank_loop_tails(_blank_annotations(source)))
    tree, unrescued, blanked = _parse_rescuing_bodies(parser, parsed)
    ex = _FileExtractor(parsed)  # (the text of every node of either tree)
    facts = ex.facts
    # py-tree-sitter does not always list a capture's nodes in source order, and later facts of
    # one file (a file-scope variable's type: the last declaration wins) depend on that order.
    captures = {
        name: sorted(nodes, key=lambda node: (node.start_byte, -node.end_byte))
        for name, nodes in QueryCursor(query).captures(tree.root_node).items()
    }
    defs = facts.definitions

    for func in captures.get("function", ()):
        body = func.child_by_field_name("body")
        name = _function_name(func)
        if name is None or body is None:
            continue
        head = _misparsed_head(func)
        start = func if head is None else head.parent
        header = source[start.start_byte : body.start_byte].decode("utf-8", "replace")
        if head is None:
            return_type = _type_text(func) + _pointer_suffix_of(func.child_by_field_name("declarator"))
        else:
            types = [c for c in start.named_children if c.end_byte <= head.start_byte and c.type in _TYPE_NODES]
            return_type = (_text(types[-1]) if types else "") + _pointer_suffix_of(head)
        defs.append(Definition(_text(name), "function", _line(name), _one_line(header),
                               typeref=return_type.strip(), end_line=body.end_point[0] + 1))
        ex.add_scope(_text(name), body, func, start)

    # `SYSCALL_DEFINE3(bind, ...) { ... }`: a file-scope macro call followed by a block is a
    # function whose name only the macro knows; its body is still a scope.
    for stmt in captures.get("macro_body", ()):
        body = stmt.next_named_sibling
        if body is None or body.type != "compound_statement":
            continue
        call = stmt.named_children[0]
        macro = _text(call.child_by_field_name("function"))
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        label = f"{macro}({_text(first)})" if first is not None and first.type == "identifier" else macro
        ex.add_scope(label, body, stmt)
    ex.finish_scopes()

    conditions = _define_conditions(code)
    for node in captures.get("macro", ()):
        name = node.child_by_field_name("name")
        if name is None:
            continue
        line_text = ex.source[node.start_byte : node.end_byte].split(b"\n", 1)[0]
        defs.append(Definition(_text(name), "macro", _line(name), _one_line(line_text.decode("utf-8", "replace")),
                               scope=conditions.get(_line(node), "")))
        if node.type == "preproc_function_def":
            facts.calls += _macro_calls(source, node, _text(name))
    facts.invocations = _invocations(code, {d.line for d in defs if d.kind == "function"})

    facts.unlikely = _unlikely_branches(captures.get("hinted_if", ())) + _error_paths(captures.get("labeled", ()))

    for node in captures.get("record", ()):
        kind = "struct" if node.type == "struct_specifier" else "union"
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        owner = _text(name_node)
        if name_node is not None:
            defs.append(Definition(owner, kind, _line(name_node), f"{kind} {owner}", end_line=body.end_point[0] + 1))
        elif node.parent is not None and node.parent.type == "type_definition":
            owner = _text(_declared_name(node.parent.child_by_field_name("declarator")))
        for member in _field_declarations(body):
            type_text = _type_text(member)
            for declarator in member.children_by_field_name("declarator"):
                mname = _declared_name(declarator)
                if mname is None:
                    continue
                defs.append(Definition(_text(mname), "member", _line(mname), _one_line(_text(member)),
                                       scope=owner, typeref=(type_text + _pointer_suffix_of(declarator)).strip()))

    for node in captures.get("enum", ()):
        name_node = node.child_by_field_name("name")
        owner = _text(name_node)
        if name_node is not None:
            defs.append(Definition(owner, "enum", _line(name_node), f"enum {owner}"))
        for enumerator in node.child_by_field_name("body").named_children:
            if enumerator.type == "enumerator":
                ename = enumerator.child_by_field_name("name")
                defs.append(Definition(_text(ename), "enumerator", _line(ename), _one_line(_text(enumerator)),
                                       scope=owner))

    for node in captures.get("typedef", ()):
        type_node = node.child_by_field_name("type")
        # `typedef struct { ... } re_token_t;`: the struct has no name of its own; its members are
        # the typedef's (their scope above), so the typedef leads nowhere further.
        anonymous = type_node is not None and type_node.type in ("struct_specifier", "union_specifier") \
            and type_node.child_by_field_name("name") is None
        type_text = "" if anonymous else _text(type_node)
        for declarator in node.children_by_field_name("declarator"):
            name = _declared_name(declarator)
            if name is not None:
                defs.append(Definition(_text(name), "typedef", _line(name), _one_line(_text(node)),
                                       typeref=type_text))

    for node in captures.get("declaration", ()):  # at file scope (the query says where)
        type_text = _type_text(node)
        is_extern = any(c.type == "storage_class_specifier" and c.text == b"extern" for c in node.children)
        for declarator in node.children_by_field_name("declarator"):
            name = _declared_name(declarator)
            if name is None:
                continue
            text = _text(name)
            if _is_function_declarator(declarator):
                kind = "prototype"
            elif is_extern:
                kind = "extern"
            else:
                kind = "variable"
                ex.globals[text] = type_text + _pointer_suffix_of(declarator)
            head = ex.source[node.start_byte : declarator.end_byte]
            if declarator.type == "init_declarator":
                value = declarator.child_by_field_name("value")
                if value is not None:
                    head = ex.source[node.start_byte : value.start_byte]
            defs.append(Definition(text, kind, _line(name), _one_line(head.decode("utf-8", "replace")),
                                   typeref=(type_text + _pointer_suffix_of(declarator)).strip()))

    # From the lines themselves, not the tree: an #include inside an initializer (the syscall
    # tables' `{ #include <asm/syscalls_32.h> }`) is where tree-sitter's recovery loses it.
    facts.includes = [_include(source, offset, text) for offset, text in includes]

    for node in captures.get("call", ()):
        _record_call(ex, node)
    facts.calls += _paravirt_calls(code, facts.scopes)
    for start, end in blanked:  # a body blanked whole: its calls as the file's own tree has them
        cursor = QueryCursor(query)
        cursor.set_byte_range(start, end)
        for node in sorted(cursor.captures(unrescued.root_node).get("call", ()), key=lambda n: n.start_byte):
            if start <= node.start_byte and node.end_byte <= end:
                _record_call(ex, node)
    _field_arguments_called(ex)

    for pair in captures.get("initializer", ()):
        # `.ctx.actor = filldir64`: the last field, in the struct the ones before it lead to
        designators = pair.children_by_field_name("designator")
        if not designators or any(d.type != "field_designator" or not d.named_children for d in designators):
            continue
        functions = _value_names(pair.child_by_field_name("value"))
        if not functions:
            continue
        struct_path, variable = _initializer_struct(pair, [_text(d.named_children[0]) for d in designators[:-1]])
        for function in functions:
            facts.registrations.append(Registration(struct_path, _text(designators[-1].named_children[0]), function,
                                                    _line(pair), "initializer", context=variable))

    for node in captures.get("assignment", ()):
        if node.child_by_field_name("operator").type != "=":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        functions = _value_names(right)
        field = _text(left.child_by_field_name("field"))
        if node.parent is not None and node.parent.type == "initializer_list":
            # `#ifdef CONFIG_TMPFS` inside an initializer: the tree reads `CONFIG_TMPFS .llseek = f`
            # as an assignment, where it is the designated initializer `.llseek = f`.
            struct_path, variable = _initializer_struct(node)
            for function in functions:
                facts.registrations.append(Registration(struct_path, field, function,
                                                        _line(left.child_by_field_name("field")), "initializer",
                                                        context=variable))
            continue
        copied = not functions and right is not None and right.type == "field_expression"
        if not functions and not copied:
            continue
        enclosing, scope_node = ex.enclosing(node)
        locals_ = ex.locals_of(scope_node)
        struct = ex.struct_of_field_base(left, locals_)
        if copied:
            # `new->hooks[n].hook = reg->hook`, `sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv`: what
            # is registered in the field copied from is registered here too (the store keeps only
            # copies into fields that are called).
            source, source_field = ex.struct_of_field_base(right, locals_), _text(right.child_by_field_name("field"))
            if struct and source and (source, source_field) != (struct, field):  # `sk->f = osk->f` adds nothing
                facts.registrations.append(Registration(struct, field, source_field, _line(node), "copy",
                                                        context=source))
            continue
        for function in functions:
            position = locals_[function][1] if function in locals_ else 0
            if position and enclosing:
                # `wq_entry->func = func` in init_waitqueue_func_entry: what its callers pass there
                facts.registrations.append(Registration(struct, field, function, _line(node), "param",
                                                        argpos=position, context=enclosing))
            elif function not in locals_:  # a local pointer copied names no function
                facts.registrations.append(Registration(struct, field, function, _line(node), "assignment",
                                                        context=_one_line(_text(left))))

    _adopt_lost_blocks(code, facts)
    facts.references = identifier_lines(code, stripped=True)
    facts.parse_errors = 1 if tree.root_node.has_error else 0
    return facts


_BRACES = re.compile(rb"[{}]")
_WORD = re.compile(r"[A-Za-z_]\w*")


def _adopt_lost_blocks(code: bytes, facts: FileFacts) -> None:
    """The body after a file-scope macro use that tree-sitter's error recovery left without a
    scope (`SYSCALL_DEFINE0(getpid)` then `{ ... }`, parsed as part of an error): its scope
    under the label the query gives the others (`SYSCALL_DEFINE0(getpid)`, which the macro
    stage renames to `__do_sys_getpid`), and the calls in it made by that label."""
    scoped = {scope.start for scope in facts.scopes}
    starts = [0] + [m.end() for m in re.finditer(rb"\n", code)]
    for invocation in facts.invocations:
        if not invocation.block or invocation.line in scoped or invocation.line > len(starts):
            continue
        close = _closing(code, code.find(b"(", starts[invocation.line - 1]))
        brace = code.find(b"{", close) if close is not None else -1
        end = _closing(code, brace, _BRACES) if brace >= 0 else None
        if end is None:
            continue
        last = code.count(b"\n", 0, end) + 1
        first = invocation.args[0] if invocation.args else ""
        label = f"{invocation.name}({first})" if _WORD.fullmatch(first) else invocation.name
        facts.scopes.append(Scope(label, invocation.line, last))
        for call in facts.calls:
            if not call.caller and invocation.line <= call.line <= last:
                call.caller = label
        for registration in facts.registrations:
            if registration.how == "argument" and not registration.context and \
                    invocation.line <= registration.line <= last:
                registration.context = label


_CALLED = re.compile(rb"\b([A-Za-z_]\w*)\s*\(")


def _macro_calls(source: bytes, node: Node, name: str) -> list[Call]:
    """What a function-like macro's body calls, from the syntax tree's `#define` (see `_body_calls`);
    the body as written in `source`, from the parameter list's end (the parser's copy has
    annotation macros blanked, which can move where it thinks the body starts)."""
    params = node.child_by_field_name("parameters")
    if params is None:
        return []
    own = {_text(p).encode() for p in params.named_children}
    return _body_calls(name, own, strip_noise(source[params.end_byte:node.end_byte]), params.end_point[0] + 1)


def _body_calls(name: str, params: set[bytes], body: bytes, line: int) -> list[Call]:
    """The calls a function-like macro's body makes (`#define raw_spin_lock(lock)
    _raw_spin_lock(lock)`), as calls made by the macro (how `macro`): the call graph goes through
    a macro to the functions its expansion calls. `body`: comments and literals blanked, starting
    on `line`. Its parameters, keywords and builtins are not callees."""
    calls = []
    for match in _CALLED.finditer(body):
        callee = match.group(1)
        if callee in params or callee in C_KEYWORDS or callee in _NOT_CALLED or callee.startswith(b"__builtin") \
                or callee == name.encode():
            continue
        calls.append(Call(name, callee.decode(), line + body.count(b"\n", 0, match.start()), "macro"))
    return calls


_NOT_CALLED = frozenset((b"__typeof", b"_Generic", b"__alignof__", b"_Alignof", b"alias", b"section"))

# `#define NAME(params) body`, the body with its continuation lines.
_FUNCTION_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)\n]*)\)((?:[^\n]*\\\n)*[^\n]*)", re.M)


# Macros that read a pointer once (`READ_ONCE(sk->sk_write_space)`): their value is the field's.
_READS = frozenset(("READ_ONCE", "rcu_dereference", "rcu_dereference_raw", "rcu_dereference_bh",
                    "rcu_dereference_sched", "rcu_dereference_check", "rcu_dereference_protected",
                    "rcu_dereference_rtnl", "rcu_access_pointer", "smp_load_acquire", "xchg"))


def _local_values(ex: _FileExtractor, scope_node: Node | None, name: str) -> list[Node]:
    """What a local variable of the function is set to, when each value is a field (`T *fn =
    ops->f;`, `fn = READ_ONCE(sk->f);`) or a function that is no local: those, once each; else
    nothing."""
    if scope_node is None or scope_node.type != "function_definition":
        return []
    locals_ = ex.locals_of(scope_node)
    if name not in locals_:
        return []
    body = scope_node.child_by_field_name("body")
    values: list[Node | None] = []
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type == "init_declarator" and _text(_declared_name(node.child_by_field_name("declarator"))) == name:
            values.append(_read_value(node.child_by_field_name("value")))
        elif node.type == "assignment_expression" and _text(node.child_by_field_name("left")) == name:
            values.append(_read_value(node.child_by_field_name("right")))
        stack.extend(node.named_children)
    values = [v for value in values for v in _alternatives(value)]
    if not values or any(v is None or not (v.type == "field_expression" or (
            v.type == "identifier" and _text(v) not in locals_ and not _text(v).isupper())) for v in values):
        return []
    return list({_text(v): v for v in values}.values())


def _alternatives(value: Node | None) -> list[Node | None]:
    """`cond ? f : g`: f and g (read as `_read_value` reads); any other value: itself."""
    if value is None or value.type != "conditional_expression":
        return [value]
    return [_read_value(value.child_by_field_name(side)) for side in ("consequence", "alternative")]


def _read_value(value: Node | None) -> Node | None:
    """A value with casts, parentheses and `READ_ONCE(...)` taken off."""
    while value is not None:
        if value.type == "cast_expression":
            value = value.child_by_field_name("value")
        elif value.type == "parenthesized_expression" and value.named_children:
            value = value.named_children[0]
        elif value.type == "call_expression" and _text(value.child_by_field_name("function")) in _READS:
            args = value.child_by_field_name("arguments")
            value = args.named_children[0] if args is not None and args.named_children else None
        else:
            return value
    return None


def _unlikely_branches(ifs) -> list[tuple[int, int]]:
    """The lines of the branches the code marks as rare: what `if (unlikely(...))` guards, the
    `else` of `if (likely(...))` (sock_recvmsg_nosec under `if (unlikely(nosec))`)."""
    found = []
    for node in ifs:
        hint = _text(node.child_by_field_name("condition").named_children[0].child_by_field_name("function"))
        if hint == "unlikely":
            branch = node.child_by_field_name("consequence")
        elif hint == "likely":
            branch = node.child_by_field_name("alternative")
        else:
            continue
        if branch is not None:
            found.append((branch.start_point[0] + 1, branch.end_point[0] + 1))
    return found


# A goto label of an error path: `err_free:`, `csum_copy_err:`, `fail:`, `drop:`.
_ERROR_LABEL = re.compile(r"err|fail|drop|bad", re.I)


def _error_paths(labels) -> list[tuple[int, int]]:
    """The lines from an error path's label to the end of its block: the cleanup a failure jumps
    to, taken as rarely as an `unlikely` branch."""
    found = []
    for node in labels:
        label = node.child_by_field_name("label")
        block = node.parent
        if label is not None and block is not None and _ERROR_LABEL.search(_text(label)):
            found.append((node.start_point[0] + 1, block.end_point[0] + 1))
    return found


def _field_arguments_called(ex: _FileExtractor) -> None:
    """`do_tty_write(ld->ops->write, ...)` where the file's do_tty_write calls its first
    parameter: a call through tty_ldisc_ops.write where the field is passed."""
    if not ex.field_arguments:
        return
    called = {(c.caller, int(c.via)) for c in ex.facts.calls if c.how == "param" and c.via.isdigit()}
    ex.facts.calls += [call for _, callee, position, call in ex.field_arguments if (callee, position) in called]


def _record_call(ex: _FileExtractor, node: Node) -> None:
    function = node.child_by_field_name("function")
    if function is None:
        return
    kind = function.type
    if kind != "identifier" and kind != "field_expression":
        return
    caller, scope_node = ex.enclosing(node)
    facts = ex.facts
    line = node.start_point[0] + 1
    if kind == "field_expression":
        locals_ = ex.locals_of(scope_node)
        field_name = _text(function.child_by_field_name("field"))
        struct = ex.struct_of_field_base(function, locals_)
        facts.calls.append(Call(caller, field_name, line, "field", struct=struct, via=_one_line(_text(function))))
        return
    callee = function.text.decode("utf-8", "replace")
    params = ex.params_of(scope_node)
    if callee in INDIRECT_CALLS:
        _record_indirect_call(ex, node, caller, scope_node, params, INDIRECT_CALLS[callee])
        return
    if callee in FIELD_CALLS or callee in FIELD_REGISTRATIONS:
        _record_field_macro(ex, node, caller, callee)
        return
    if callee.startswith("PVOP_") and _PARAVIRT_MACRO.fullmatch(callee):
        return  # (`_paravirt_calls`, from the text: a return type among the arguments fails the tree)
    param = params.get(callee)
    if param is not None:
        facts.calls.append(Call(caller, callee, line, "param", via=str(param[1])))
    elif values := _local_values(ex, scope_node, callee):
        # `fn = READ_ONCE(sk->sk_write_space); ... fn(sk)`: a call through the field; with
        # `get_area = file->f_op->get_unmapped_area` or `= shmem_get_unmapped_area`, both calls
        for value in values:
            if value.type == "field_expression":
                struct = ex.struct_of_field_base(value, ex.locals_of(scope_node))
                facts.calls.append(Call(caller, _text(value.child_by_field_name("field")), line, "field",
                                        struct=struct, via=_one_line(_text(value))))
            else:
                facts.calls.append(Call(caller, _text(value), line, "direct"))
    else:
        facts.calls.append(Call(caller, callee, line, "direct"))
    args = node.child_by_field_name("arguments")
    if args is None:
        return
    # Identifiers passed to a call; those that do not name a function are dropped once the
    # whole index is known, so only parameters need filtering here.
    registrations = facts.registrations
    for position, arg in enumerate(args.named_children, start=1):
        arg_kind = arg.type
        if arg_kind == "identifier":
            name = arg.text.decode("utf-8", "replace")
        elif arg_kind == "field_expression":
            struct = ex.struct_of_field_base(arg, ex.locals_of(scope_node))
            ex.field_arguments.append((caller, callee, position, Call(
                caller, _text(arg.child_by_field_name("field")), line, "field", struct=struct,
                via=_one_line(_text(arg)))))
            continue
        elif arg_kind in _WRAPPED_VALUE:
            name = _value_name(arg)
        else:
            continue
        if not name or name.isupper():
            continue  # all capitals: a constant, not a function (a third of all arguments)
        if name in params:
            if name in ex.pointer_params.get(scope_node.start_byte, ()):
                # `ip_append_data(..., getfrag, ...)` passing on its own parameter `getfrag`, which
                # __ip_append_data calls: the functions its callers pass reach there
                registrations.append(Registration("", str(params[name][1]), name, line, "forward", callee=callee,
                                                  argpos=position, context=caller))
            continue
        if name in ex.locals_of(scope_node):
            # `getfrag = is_udplite ? udplite_getfrag : ip_generic_getfrag; ip_append_data(..., getfrag)`
            for value in _local_values(ex, scope_node, name):
                if value.type == "identifier":
                    registrations.append(Registration("", "", _text(value), line, "argument", callee=callee,
                                                      argpos=position, context=caller))
            continue
        registrations.append(Registration("", "", name, line, "argument", callee=callee, argpos=position,
                                          context=caller))
