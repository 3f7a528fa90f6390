"""The libclang pass over one translation unit: what the compiler sees in its main file.

Definitions (including those a macro generates), calls (including those only a macro
expansion contains), the struct and field behind every call through a pointer,
registrations with resolved struct types, the headers read and the `#if` regions skipped.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from clang import cindex
from clang.cindex import Cursor, CursorKind, SourceLocation, SourceRange, TranslationUnit, TypeKind, conf

from indexer.facts import Call, Definition, Registration
from xref.macros import file_lines

_VISIT = cindex.callbacks["cursor_visit"]
_BREAK, _CONTINUE, _RECURSE = 0, 1, 2
_ASSIGN = 22  # CXBinaryOperator_Assign


class _RangeList(ctypes.Structure):
    _fields_ = [("count", ctypes.c_uint), ("ranges", ctypes.POINTER(SourceRange))]


@lru_cache(maxsize=1)
def _lib():
    lib = conf.lib
    lib.clang_Location_isFromMainFile.argtypes = [SourceLocation]
    lib.clang_Location_isFromMainFile.restype = ctypes.c_int
    lib.clang_getCursorBinaryOperatorKind.argtypes = [Cursor]
    lib.clang_getCursorBinaryOperatorKind.restype = ctypes.c_int
    lib.clang_getAllSkippedRanges.argtypes = [TranslationUnit]
    lib.clang_getAllSkippedRanges.restype = ctypes.POINTER(_RangeList)
    lib.clang_disposeSourceRangeList.argtypes = [ctypes.POINTER(_RangeList)]
    lib.clang_getExpansionLocation.argtypes = [SourceLocation, ctypes.POINTER(ctypes.c_void_p),
                                               ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.clang_getExpansionLocation.restype = None
    return lib


@lru_cache(maxsize=1)
def _file_name_of_handle():
    get = conf.lib["clang_getFileName"]  # a copy: cindex's own takes a File object
    get.argtypes = [ctypes.c_void_p]
    get.restype = cindex._CXString
    get.errcheck = cindex._CXString.from_result
    return get


def _file_name(handle: int) -> str:
    """The path of a libclang file handle (as `clang_getExpansionLocation` gives it)."""
    return _file_name_of_handle()(handle)


@dataclass
class TUFacts:
    """What one translation unit yields; paths are as libclang names them (absolute)."""

    main: str
    definitions: list[Definition] = field(default_factory=list)
    macros: list[str] = field(default_factory=list)  # per definition: the macro that generated it, or ""
    calls: list[Call] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # every file the TU read, main file first
    skipped: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # file -> inactive line ranges
    errors: list[str] = field(default_factory=list)  # error diagnostics, "path:line: message"
    fatal: bool = False
    # Functions defined in headers (static inlines) that this worker had not walked yet, by header.
    in_headers: dict[str, HeaderFacts] = field(default_factory=dict)


@dataclass
class HeaderFacts:
    definitions: list[Definition] = field(default_factory=list)
    macros: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)


# (header path, line) of every header function this process has walked: a header's inline
# functions are the same in nearly every unit that reads it, so each worker walks them once.
_walked: set[tuple[str, int]] = set()
_CALLISH = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_INVOCATION = re.compile(r"^\s*([A-Za-z_]\w*)\s*\(")


def parse(path: str, args: list[str]) -> TranslationUnit:
    index = cindex.Index.create()
    # The detailed record is what makes libclang keep the #if regions it skipped. `-w`: no
    # warnings (the kernel's -W flags made thousands per unit, each read back in Python for
    # nothing; errors are still reported).
    return index.parse(path, [*args, "-w"], options=TranslationUnit.PARSE_INCOMPLETE
                       | TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD)


def extract(path: str, args: list[str]) -> TUFacts:
    """Parse `path` with `args` and collect the facts located in it."""
    lib = _lib()
    tu = parse(path, args)
    facts = TUFacts(path)
    for diag in tu.diagnostics:
        if diag.severity >= cindex.Diagnostic.Error:
            loc = diag.location
            where = f"{loc.file.name}:{loc.line}" if loc.file else path
            facts.errors.append(f"{where}: {diag.spelling}")
            if diag.severity == cindex.Diagnostic.Fatal:
                facts.fatal = True
    inclusions = Counter(inc.include.name for inc in tu.get_includes())
    facts.headers = [path] + sorted(inclusions)
    facts.skipped = _skipped_ranges(lib, tu, inclusions)
    _Walker(lib, facts).run(tu)
    return facts


def _skipped_ranges(lib, tu: TranslationUnit, inclusions: Counter[str]) -> dict[str, list[tuple[int, int]]]:
    """The line ranges of each file that the preprocessor skipped wherever the unit read it.

    A header read twice skips what its include guards hold the second time; only the lines every
    inclusion skipped count (some units read device.h twice, tracepoint.h is made to be read
    again). Each inclusion has its own stretch of libclang's location numbers, so a range's raw
    location less its offset in the file tells the inclusions apart."""
    ranges = lib.clang_getAllSkippedRanges(tu)
    if not ranges:
        return {}
    expansion = lib.clang_getExpansionLocation
    file_ptr, line, offset = ctypes.c_void_p(), ctypes.c_uint(), ctypes.c_uint()
    where, at_line, at_offset = ctypes.byref(file_ptr), ctypes.byref(line), ctypes.byref(offset)
    by_file: dict[int, dict[int, list[tuple[int, int]]]] = {}  # file handle -> inclusion -> ranges
    try:
        for i in range(ranges.contents.count):
            rng = ranges.contents.ranges[i]
            expansion(rng.start, where, at_line, None, at_offset)
            if not file_ptr.value:
                continue
            key, start, inclusion = file_ptr.value, line.value, rng.start.int_data - offset.value
            expansion(rng.end, where, at_line, None, None)
            by_file.setdefault(key, {}).setdefault(inclusion, []).append((start, line.value))
    finally:
        lib.clang_disposeSourceRangeList(ranges)
    found: dict[str, list[tuple[int, int]]] = {}
    for key, per_inclusion in by_file.items():
        name = _file_name(key)
        if len(per_inclusion) < inclusions.get(name, 1):
            continue  # an inclusion skipped nothing
        common = None
        for skipped in per_inclusion.values():
            common = sorted(skipped) if common is None else _overlap(common, sorted(skipped))
        if common:
            found[name] = common
    return found


def _overlap(one: list[tuple[int, int]], other: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The lines in both lists of sorted, disjoint ranges."""
    both = []
    i = j = 0
    while i < len(one) and j < len(other):
        start, end = max(one[i][0], other[j][0]), min(one[i][1], other[j][1])
        if start <= end:
            both.append((start, end))
        if one[i][1] < other[j][1]:
            i += 1
        else:
            j += 1
    return both


def _record_name(decl: Cursor) -> str:
    """'proto_ops' for the struct a field belongs to (typedef'd anonymous structs by their typedef;
    a field of an anonymous struct member by the struct holding it: mm_struct's fields are in
    `struct { ... } __randomize_layout;`)."""
    parent = decl.semantic_parent
    while parent is not None and _anonymous_member(parent):
        parent = parent.semantic_parent
    if parent is None:
        return ""
    name = parent.spelling
    if name and "(" not in name and " " not in name:
        return name
    spelling = parent.type.spelling
    for prefix in ("struct ", "union "):
        if spelling.startswith(prefix):
            spelling = spelling[len(prefix):]
    return "" if "(" in spelling else spelling


_LINE = ctypes.c_uint()


def _line(cursor: Cursor) -> int:
    """`cursor.location.line` (where a macro's output was used), without building the location's
    file, column and offset objects."""
    lib = conf.lib
    lib.clang_getExpansionLocation(lib.clang_getCursorLocation(cursor), None, ctypes.byref(_LINE), None, None)
    return _LINE.value


def _children(cursor: Cursor) -> list[Cursor]:
    """`list(cursor.get_children())` without cindex's comparison of every child with the null
    cursor (two more calls into libclang per child: a fifth of the walk's time)."""
    found = []
    tu = cursor._tu

    def visit(child, _parent, _data):
        child._tu = tu
        found.append(child)
        return _CONTINUE

    conf.lib.clang_visitChildren(cursor, _VISIT(visit), None)
    return found


def _unwrap(cursor: Cursor) -> Cursor:
    """Look through implicit casts, parentheses and `&f` to the expression that names something."""
    while cursor.kind in (CursorKind.UNEXPOSED_EXPR, CursorKind.PAREN_EXPR, CursorKind.CSTYLE_CAST_EXPR,
                          CursorKind.UNARY_OPERATOR, _STMT_EXPR, CursorKind.COMPOUND_STMT):
        # a statement expression (`READ_ONCE(x)`) is its last statement's value
        children = _children(cursor)
        if not children:
            break
        cursor = children[-1]
    return cursor


def _local_origin(var: Cursor | None, depth: int = 0) -> Cursor | None:
    """What a local function-pointer variable was initialized with, through copies of copies."""
    if var is None or var.kind != CursorKind.VAR_DECL or depth > 4:
        return None
    parent = var.semantic_parent
    if parent is None or parent.kind != CursorKind.FUNCTION_DECL:
        return None  # only locals: a global's value can change anywhere
    children = [c for c in _children(var) if c.kind.is_expression()]
    if not children:
        return None
    value = _unwrap(children[-1])
    if value.kind == CursorKind.DECL_REF_EXPR:
        deeper = _local_origin(value.referenced, depth + 1)
        return deeper if deeper is not None else value
    return value


def _anonymous_member(record: Cursor) -> bool:
    """Whether `record` is an unnamed struct or union declared as a member without a name, whose
    fields are the enclosing struct's."""
    outer = record.semantic_parent
    if outer is None or outer.kind not in (CursorKind.STRUCT_DECL, CursorKind.UNION_DECL) or \
            (record.spelling and "(" not in record.spelling and " " not in record.spelling):
        return False
    return not any(child.kind == CursorKind.FIELD_DECL and child.type.get_declaration() == record
                   for child in outer.get_children())


def _function_pointer(field: Cursor) -> bool:
    """Whether a struct field (or a parameter) holds a pointer to a function; a parameter declared
    as a function (`int getfrag(void *, char *)`) is one too."""
    kind = field.type.get_canonical()
    if kind.kind == TypeKind.POINTER:
        kind = kind.get_pointee()
    return kind.kind in (TypeKind.FUNCTIONPROTO, TypeKind.FUNCTIONNOPROTO)


def _function_named(expr: Cursor) -> str:
    target = _unwrap(expr)
    if target.kind == CursorKind.DECL_REF_EXPR:
        ref = target.referenced
        if ref is not None and ref.kind == CursorKind.FUNCTION_DECL:
            return ref.spelling
    return ""


_STMT_EXPR = CursorKind.StmtExpr  # `({ ...; value; })`
# A static call's trampoline and key (include/linux/static_call_types.h's STATIC_CALL_TRAMP/KEY)
_TRAMPOLINE, _KEY = "__SCT__", "__SCK__"
_FUNCTION_DECL, _VAR_DECL = CursorKind.FUNCTION_DECL.value, CursorKind.VAR_DECL.value
_CALL_EXPR, _BINARY_OPERATOR = CursorKind.CALL_EXPR.value, CursorKind.BINARY_OPERATOR.value
_INIT_LIST_EXPR = CursorKind.INIT_LIST_EXPR.value


class _Walker:
    def __init__(self, lib, facts: TUFacts) -> None:
        self.lib = lib
        self.facts = facts
        self.out: TUFacts | HeaderFacts = facts
        self.lines: list[str] = []
        self.function = ""  # the enclosing function, or the variable being initialized
        self.params: dict[str, int] = {}
        # the values assigned to the function's variables (`fn = READ_ONCE(sk->f)`), by the variable
        self.local_fields: dict[int, list[Cursor]] = {}
        self.param_callers: dict[tuple[int, int], bool] = {}  # (function, position): calls that parameter

    def run(self, tu: TranslationUnit) -> None:
        top: list[tuple[Cursor, str]] = []  # (cursor, "" for the main file or the header's path)
        main_file = ctypes.cast(conf.lib.clang_getFile(tu, self.facts.main), ctypes.c_void_p).value
        expansion = self.lib.clang_getExpansionLocation
        get_location = self.lib.clang_getCursorLocation
        is_definition = self.lib.clang_isCursorDefinition
        file_ptr = ctypes.c_void_p()
        line = ctypes.c_uint()
        where, at_line = ctypes.byref(file_ptr), ctypes.byref(line)
        header_definitions: list[tuple[Cursor, int, int]] = []

        def visit(cursor, _parent, _data):
            kind = cursor._kind_id
            if kind != _FUNCTION_DECL and kind != _VAR_DECL:
                return _CONTINUE  # types; the preprocessing record's macros and includes
            # Where the code was written, or for a macro's output where the macro was used.
            expansion(get_location(cursor), where, at_line, None, None)
            if file_ptr.value == main_file:
                cursor._tu = tu
                top.append((cursor, ""))
            elif is_definition(cursor):
                # A function or variable written in a header or a .c file the unit includes
                # (kernel/sched/build_policy.c's rt.c: DEFINE_SCHED_CLASS(rt) = { ... })
                cursor._tu = tu
                header_definitions.append((cursor, file_ptr.value, line.value))
            return _CONTINUE

        self.lib.clang_visitChildren(tu.cursor, _VISIT(visit), None)

        names: dict[int, str] = {}
        for cursor, file_key, at in header_definitions:
            name = names.get(file_key) or names.setdefault(file_key, _file_name(file_key))
            if (name, at) not in _walked:  # the first time this worker meets it
                _walked.add((name, at))
                top.append((cursor, name))
        # A declaration with attributes and no body, written as a macro call, defines an alias
        # (`weak_alias (__libc_sendto, sendto)`) unless the unit also defines the name itself.
        defined = {c.spelling for c, header in top if not header and c._kind_id == _FUNCTION_DECL
                   and is_definition(c)}
        for cursor, header in top:
            if header:
                self.out = self.facts.in_headers.setdefault(header, HeaderFacts())
                self.lines = file_lines(header)
            else:
                self.out = self.facts
                self.lines = file_lines(self.facts.main)
            kind = cursor._kind_id
            if kind == _FUNCTION_DECL:
                if is_definition(cursor):
                    self._function(cursor)
                elif not header and cursor.spelling not in defined and any(
                        c.kind == CursorKind.UNEXPOSED_ATTR for c in _children(cursor)):
                    # `weak_alias (__libc_sendto, sendto)`: a symbol defined as another's alias
                    line = _line(cursor)
                    invocation = _INVOCATION.match(self.lines[line - 1] if 0 < line <= len(self.lines) else "")
                    if invocation:
                        self._define(cursor, "alias", "", invocation.group(1))
            elif kind == _VAR_DECL:
                self._variable(cursor)

    # -- definitions ------------------------------------------------------------

    def _macro_of(self, cursor: Cursor) -> str:
        """The macro whose expansion declares this, when its name is not written on its line."""
        line = _line(cursor)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if _names(text, cursor.spelling):
            return ""
        match = _CALLISH.search(text)
        return match.group(1) if match else "?"

    def _define(self, cursor: Cursor, kind: str, typeref: str, macro: str | None = None) -> None:
        name = cursor.spelling
        line = _line(cursor)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        macro = self._macro_of(cursor) if macro is None else macro
        signature = " ".join(text.split())[:200]
        extent_end = cursor.extent.end.line if kind == "function" else 0
        self.out.definitions.append(Definition(name, kind, line, signature, typeref=typeref, end_line=extent_end))
        self.out.macros.append(macro)

    def _function(self, cursor: Cursor) -> None:
        self._define(cursor, "function", cursor.result_type.spelling)
        self.function = cursor.spelling
        self.params = {arg.spelling: i for i, arg in enumerate(cursor.get_arguments(), start=1)}
        for child in _children(cursor):
            if child.kind == CursorKind.COMPOUND_STMT:
                self._body(child)
        self.function = ""
        self.params = {}
        self.local_fields = {}

    def _variable(self, cursor: Cursor) -> None:
        if cursor.is_definition():
            self._define(cursor, "variable", cursor.type.spelling)
        self.function = cursor.spelling
        self._body(cursor)
        self.function = ""

    # -- bodies -------------------------------------------------------------------

    def _body(self, root: Cursor) -> None:
        tu = root._tu

        def visit(cursor, _parent, _data):
            kind = cursor._kind_id
            if kind == _CALL_EXPR:
                cursor._tu = tu
                self._call(cursor)
            elif kind == _BINARY_OPERATOR:
                cursor._tu = tu
                self._assignment(cursor)
            elif kind == _INIT_LIST_EXPR:
                cursor._tu = tu
                self._initializer(cursor)
            return _RECURSE

        self.lib.clang_visitChildren(root, _VISIT(visit), None)

    def _call(self, call: Cursor) -> None:
        line = _line(call)
        children = _children(call)
        if not children:
            return
        callee_expr = _unwrap(children[0])
        ref = call.referenced
        callee = ""
        calls = self.out.calls
        trampoline = ref if ref is not None else (
            callee_expr.referenced if callee_expr.kind == CursorKind.DECL_REF_EXPR else None)
        spelling = trampoline.spelling if trampoline is not None else ""  # read once: a libclang call
        if spelling.startswith(_TRAMPOLINE):
            # `static_call_mod(might_resched)()` is a call of the trampoline `__SCT__might_resched`:
            # a call through the key, as the parser records it (cparse.FIELD_CALLS)
            key = spelling[len(_TRAMPOLINE):]
            calls.append(Call(self.function, key, line, "field", struct="static_call_key", via=f"static_call({key})"))
            return
        if ref is not None and ref.kind == CursorKind.FUNCTION_DECL:
            callee = spelling  # `trampoline` is `ref` here
            calls.append(Call(self.function, callee, line, "direct"))
        elif callee_expr.kind == CursorKind.MEMBER_REF_EXPR:
            member = callee_expr.referenced
            if member is not None and member.kind == CursorKind.FIELD_DECL:
                calls.append(Call(self.function, member.spelling, line, "field", struct=_record_name(member),
                                  via=_expression_text(callee_expr)))
        elif callee_expr.kind == CursorKind.DECL_REF_EXPR:
            target = callee_expr.referenced
            origin = _local_origin(target)
            # `typeof(f) __f1 = (sock->ops->sendmsg); __f1(...)` (INDIRECT_CALL's local copy), `fn =
            # READ_ONCE(sk->sk_write_space); fn(sk)`: a call through each field (or of each
            # function) the variable is given
            values = self._values_of(target, origin)
            if values and all(_function_named(v) or (
                    v.kind == CursorKind.MEMBER_REF_EXPR and v.referenced is not None
                    and v.referenced.kind == CursorKind.FIELD_DECL) for v in values):
                for value in {_expression_text(v): v for v in values}.values():
                    function = _function_named(value)
                    if function:
                        calls.append(Call(self.function, function, line, "direct"))
                    else:
                        member = value.referenced
                        calls.append(Call(self.function, member.spelling, line, "field",
                                          struct=_record_name(member), via=_expression_text(value)))
                return
            if origin is not None and origin.kind == CursorKind.DECL_REF_EXPR:
                target = origin.referenced
            if target is not None and target.kind == CursorKind.PARM_DECL:
                calls.append(Call(self.function, target.spelling, line, "param",
                                  via=str(self.params.get(target.spelling, 0))))
            elif target is not None and target.kind == CursorKind.VAR_DECL:
                calls.append(Call(self.function, target.spelling, line, "variable"))
        if not callee:
            return
        for position, arg in enumerate(children[1:], start=1):
            name = _function_named(arg)
            if name and callee == "__static_call_update" and position == 3:
                # static_call_update(might_resched, __cond_resched): the key `&__SCK__might_resched` comes first
                key = _unwrap(children[1])
                if key.kind == CursorKind.DECL_REF_EXPR and key.spelling.startswith(_KEY):
                    self.out.registrations.append(Registration("static_call_key", key.spelling[len(_KEY):], name,
                                                               line, "assignment", context=self.function))
                    continue
            if name:
                self.out.registrations.append(Registration("", "", name, line, "argument", callee=callee,
                                                           argpos=position, context=self.function))
                continue
            value = _unwrap(arg)
            target = value.referenced if value.kind == CursorKind.DECL_REF_EXPR else None
            if target is not None and target.kind == CursorKind.PARM_DECL and _function_pointer(target) \
                    and target.spelling in self.params:
                # `ip_append_data(..., getfrag)` passing on its own parameter (see cparse)
                self.out.registrations.append(Registration(
                    "", str(self.params[target.spelling]), target.spelling, line, "forward", callee=callee,
                    argpos=position, context=self.function))
                continue
            if target is not None and target.kind == CursorKind.VAR_DECL:
                # `getfrag = is_udplite ? udplite_getfrag : ip_generic_getfrag; ip_append_data(..., getfrag)`
                names = [_function_named(v) for v in self._values_of(target, _local_origin(target))]
                if names and all(names):
                    for name in dict.fromkeys(names):
                        self.out.registrations.append(Registration("", "", name, line, "argument", callee=callee,
                                                                   argpos=position, context=self.function))
                continue
            member = value.referenced if value.kind == CursorKind.MEMBER_REF_EXPR else None
            if member is not None and member.kind == CursorKind.FIELD_DECL and _function_pointer(member) \
                    and self._calls_parameter(ref, position):
                # `do_tty_write(ld->ops->write, ...)`, which calls its first parameter: a call
                # through tty_ldisc_ops.write here
                calls.append(Call(self.function, member.spelling, line, "field", struct=_record_name(member),
                                  via=_expression_text(value)))

    def _values_of(self, variable: Cursor | None, origin: Cursor | None) -> list[Cursor]:
        """What a local variable is given: its initializer's origin and the values assigned to it,
        both sides of `cond ? f : g`."""
        values = ([origin] if origin is not None and origin.kind != CursorKind.DECL_REF_EXPR else []) \
            + (self.local_fields.get(variable.hash, []) if variable is not None else [])
        return [_unwrap(side) if value.kind == CursorKind.CONDITIONAL_OPERATOR else value
                for value in values
                for side in (_children(value)[1:] if value.kind == CursorKind.CONDITIONAL_OPERATOR else [value])]

    def _calls_parameter(self, function: Cursor, position: int) -> bool:
        """Whether the unit's definition of `function` calls its parameter at `position`."""
        key = (function.hash, position)
        if key not in self.param_callers:
            definition = function.get_definition()
            params = list(definition.get_arguments()) if definition is not None else []
            found = False
            if 0 < position <= len(params):
                wanted = params[position - 1]
                for node in definition.walk_preorder():
                    if node.kind == CursorKind.CALL_EXPR:
                        head = _children(node)
                        target = _unwrap(head[0]) if head else None
                        if target is not None and target.kind == CursorKind.DECL_REF_EXPR and \
                                target.referenced == wanted:
                            found = True
                            break
            self.param_callers[key] = found
        return self.param_callers[key]

    def _assignment(self, op: Cursor) -> None:
        if self.lib.clang_getCursorBinaryOperatorKind(op) != _ASSIGN:
            return
        children = _children(op)
        if len(children) != 2:
            return
        left = _unwrap(children[0])
        if left.kind == CursorKind.DECL_REF_EXPR:
            var = left.referenced
            value = _unwrap(children[1])
            if var is not None and var.kind == CursorKind.VAR_DECL and var.semantic_parent is not None \
                    and var.semantic_parent.kind == CursorKind.FUNCTION_DECL:  # a local: all its values are here
                self.local_fields.setdefault(var.hash, []).append(value)
            return
        if left.kind != CursorKind.MEMBER_REF_EXPR:
            return
        function = _function_named(children[1])
        member = left.referenced
        if member is None or member.kind != CursorKind.FIELD_DECL:
            return
        if not function:
            value = _unwrap(children[1])
            target = value.referenced if value.kind == CursorKind.DECL_REF_EXPR else None
            if target is not None and target.kind == CursorKind.PARM_DECL and self.params.get(target.spelling):
                # `wq_entry->func = func`: the field holds what the function's callers pass
                self.out.registrations.append(Registration(
                    _record_name(member), member.spelling, target.spelling, _line(op), "param",
                    argpos=self.params[target.spelling], context=self.function))
            source = value.referenced if value.kind == CursorKind.MEMBER_REF_EXPR else None
            if source is not None and source.kind == CursorKind.FIELD_DECL and _function_pointer(member) and \
                    (_record_name(source), source.spelling) != (_record_name(member), member.spelling):
                # `sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv`: the field holds what the one
                # copied from holds (the store keeps only copies into fields that are called)
                self.out.registrations.append(Registration(
                    _record_name(member), member.spelling, source.spelling, _line(op), "copy",
                    context=_record_name(source)))
            return
        self.out.registrations.append(Registration(_record_name(member), member.spelling, function,
                                                   _line(op), "assignment", context=_expression_text(left)))

    def _initializer(self, init: Cursor) -> None:
        # `.field = value` is a designated initializer: MEMBER_REFs naming the field(s), then the value.
        for child in _children(init):
            parts = _children(child) if child.kind == CursorKind.UNEXPOSED_EXPR else []
            members = [p for p in parts if p.kind == CursorKind.MEMBER_REF]
            if not members or parts[-1].kind == CursorKind.MEMBER_REF:
                continue
            member = members[-1].referenced
            function = _function_named(parts[-1])
            if function and member is not None and member.kind == CursorKind.FIELD_DECL:
                struct, field = _record_name(member), member.spelling
                if struct == "static_call_key" and self.function.startswith(_KEY):
                    field = self.function[len(_KEY):]  # DEFINE_STATIC_CALL(name, f): the key `name` holds f
                self.out.registrations.append(Registration(struct, field, function, _line(parts[-1]), "initializer",
                                                           context=self.function))


def _names(text: str, name: str) -> bool:
    """Whether `text` has `name` as a whole identifier."""
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        if (at == 0 or not _word_char(text[at - 1])) and (end == len(text) or not _word_char(text[end])):
            return True
        at = text.find(name, end)
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _expression_text(expr: Cursor) -> str:
    tokens = [t.spelling for t in expr.get_tokens()]
    return "".join(tokens)[:200]
