"""The macro-expansion engine: the C preprocessor's replacement rules, one recorded step at a time.

Tokens carry a hide set (the macros whose expansion produced them and that must not expand
again there), as in Prosser's algorithm that the C standard's rescanning rule describes.
Every replacement of an invocation is a `Step`: what was replaced, by which macro, defined
where, with the arguments as written and after their own expansion, and the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from xref.sourcefiles import read_regular

_PATTERN = (
    r"""(?P<space>[ \t\r\f\v]+|\\\n)
    |(?P<newline>\n)
    |(?P<comment>/\*.*?\*/|//[^\n]*)
    |(?P<ident>[A-Za-z_$][A-Za-z0-9_$]*)
    |(?P<number>\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.'])*)
    |(?P<string>(?:u8|[uUL])?"(?:\\.|[^"\\\n])*")
    |(?P<char>(?:u8|[uUL])?'(?:\\.|[^'\\\n])*')
    |(?P<punct>%:%:|\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[*/%+\-&^|]=|\#\#|<:|:>|<%|%>|%:|
       [\[\](){}.&*+\-~!/%<>^|?:;=,\#])
    |(?P<other>.)"""
)
_TOKEN = re.compile(_PATTERN, re.S | re.X)
# Assembler-with-cpp: `$` starts an immediate (`movl $__NR_getpid, %eax`), it is no identifier character.
_ASM_TOKEN = re.compile(_PATTERN.replace("[A-Za-z_$][A-Za-z0-9_$]*", "[A-Za-z_][A-Za-z0-9_]*"), re.S | re.X)


class Token(NamedTuple):
    # A tuple, not a frozen dataclass: expansions make millions of these, and a tuple is made
    # three times as fast.
    text: str
    kind: str  # ident, number, string, char, punct, other, placemarker
    space: bool = False  # preceded by white space (matters to # and to printing)
    hide: frozenset[str] = frozenset()


PLACEMARKER = Token("", "placemarker")


def tokenize(text: str, assembly: bool = False) -> list[Token]:
    """Preprocessing tokens of `text` (comments are white space; newlines are white space too);
    `assembly`: as cpp reads a .S file."""
    tokens: list[Token] = []
    space = False
    for match in (_ASM_TOKEN if assembly else _TOKEN).finditer(text):
        kind = match.lastgroup
        if kind in ("space", "newline", "comment"):
            space = True
            continue
        tokens.append(Token(match.group(), kind, space))
        space = False
    return tokens


def render(tokens: list[Token]) -> str:
    """Tokens as text, one space where the source or the expansion had white space."""
    return render_marked(tokens, -1)[0]


def render_marked(tokens: list[Token], mark: int) -> tuple[str, int]:
    """`render(tokens)`, and the length of `render(tokens[:mark])` (where token `mark` starts,
    before the space that may separate it): one pass where a step needs both."""
    out: list[str] = []
    lead = -1
    last = ""
    for n, tok in enumerate(tokens):
        if n == mark:
            lead = sum(map(len, out))
        if tok.kind == "placemarker":
            continue
        text = tok.text
        if out and (tok.space or _would_merge(last, text)):
            out.append(" ")
        out.append(text)
        last = text
    whole = "".join(out)
    return whole, (len(whole) if lead < 0 else lead)


_PUNCT_PREFIXES = frozenset(p[:n] for p in ("%:%:", "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=",
                                             "==", "!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=",
                                             "|=", "##", "<:", ":>", "<%", "%>", "%:", "//", "/*")
                           for n in range(2, len(p) + 1))


@lru_cache(maxsize=1 << 16)  # a few hundred distinct pairs in a text; every step renders it whole
def _would_merge(left: str, right: str) -> bool:
    """Whether printing two tokens side by side would read back as different tokens."""
    if not left or not right:
        return False
    a, b = left[-1], right[0]
    if (a.isalnum() or a in "_$") and (b.isalnum() or b in "_$"):
        return True
    if left[0].isdigit() or (left[0] == "." and len(left) > 1):
        return b.isalnum() or b in "._+-'"  # pp-numbers swallow these
    if b in "\"'" or a in "\"'":
        return a.isalnum() and b in "\"'"  # a prefix like L or u8 before a literal
    return (left[-2:] + b) in _PUNCT_PREFIXES or (a + b) in _PUNCT_PREFIXES


@dataclass
class Macro:
    name: str
    params: list[str] | None  # None: object-like
    body: list[Token]
    variadic: bool = False  # the last parameter takes the rest (`...` as __VA_ARGS__, or GNU `args...`)
    where: str = ""  # path:line of the definition
    # For a body without #, ## and __VA_OPT__: each token with its parameter's index (-1: none).
    plain: list[tuple[Token, int]] | None = field(default=None, repr=False, compare=False)
    _planned: bool = field(default=False, repr=False, compare=False)

    def plan(self) -> list[tuple[Token, int]] | None:
        if not self._planned:
            self._planned = True
            if not any(t.text in ("#", "##", "%:", "%:%:", "__VA_OPT__") for t in self.body):
                index = {name: n for n, name in enumerate(self.params or [])}
                self.plain = [(t, index.get(t.text, -1)) for t in self.body]
        return self.plain

    @property
    def signature(self) -> str:
        if self.params is None:
            return self.name
        params = list(self.params)
        if self.variadic:
            params[-1] = "..." if params[-1] == "__VA_ARGS__" else params[-1] + "..."
        return f"{self.name}({', '.join(params)})"


class ExpansionError(Exception):
    """A use the compiler would reject: wrong argument count, unterminated invocation, bad paste."""


def parse_define(text: str, where: str = "", assembly: bool = False) -> Macro:
    """`NAME body`, `NAME(a, b) body` (the part after `#define`), continuation lines allowed."""
    text = text.replace("\\\n", " ")
    match = re.match(r"\s*([A-Za-z_$][\w$]*)(\()?", text)
    if match is None:
        raise ExpansionError(f"{where or 'definition'}: macro name missing")
    name = match.group(1)
    rest = text[match.end():]
    if match.group(2) is None:
        return Macro(name, None, tokenize(rest, assembly), where=where)
    close = rest.find(")")
    if close < 0:
        raise ExpansionError(f"{where or name}: missing ')' in the parameter list of {name}")
    params = [p.strip() for p in rest[:close].split(",")] if rest[:close].strip() else []
    variadic = False
    if params and params[-1].endswith("..."):
        variadic = True
        params[-1] = params[-1][:-3].strip() or "__VA_ARGS__"
    body = tokenize(rest[close + 1:], assembly)
    if body:
        body[0] = Token(body[0].text, body[0].kind, False, body[0].hide)
    return Macro(name, params, body, variadic, where)


_DEFINE = re.compile(r"^\s*#\s*define\s+(.*)$", re.S)


@lru_cache(maxsize=4096)
def file_lines(path: str) -> list[str]:
    """A source file's lines (undecodable bytes replaced), [] when it cannot be read."""
    try:
        return read_regular(path).decode("utf-8", "replace").split("\n")
    except OSError:
        return []


def define_text(lines: list[str], line: int) -> str | None:
    """The text after `#define` of the definition starting on `line`, continuation lines joined."""
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    i = line
    while text.rstrip().endswith("\\") and i < len(lines):
        text = text.rstrip()[:-1] + " " + lines[i].strip()
        i += 1
    match = _DEFINE.match(text)
    if match is None:
        return None
    return re.sub(r"/\*.*?\*/|//.*$", " ", match.group(1))


@dataclass
class Step:
    """One replacement: the invocation, the macro, its arguments, and the whole text before and after."""

    number: int
    macro: str
    where: str  # path:line of the macro's definition
    invocation: str
    replacement: str
    args: list[str] = field(default_factory=list)  # as written
    expanded_args: list[str] = field(default_factory=list)  # after their own full expansion
    before: str = ""
    after: str = ""
    start: int = 0  # token offsets of the replaced part in `before`
    end: int = 0
    depth: int = 0  # 0: the text itself; 1 and more: inside an argument's pre-expansion
    at: int = 0  # character offset of `invocation` in `before`, and of `replacement` in `after`
    at_after: int = 0

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


Lookup = Callable[[str], "Macro | None"]


class Expander:
    """Expands token lists with macros from `lookup`, recording the steps of the outermost text."""

    def __init__(self, lookup: Lookup, max_steps: int = 100_000, assembly: bool = False) -> None:
        self.lookup = lookup
        self.steps: list[Step] = []
        self.max_steps = max_steps
        self.assembly = assembly  # cpp on a .S file: a paste that makes no single token just juxtaposes
        self._count = 0

    def expand_text(self, text: str) -> list[Token]:
        return self.expand(tokenize(text), record=True)

    def expand(self, tokens: list[Token], record: bool = False, depth: int = 0) -> list[Token]:
        """Expand until no macro is left; `rest[:i]` is final, `rest[i:]` still to be rescanned."""
        rest = list(tokens)
        shown = ""  # the text after the last recorded step: the next step's text before
        i = 0
        while i < len(rest):
            tok = rest[i]
            macro = self.lookup(tok.text) if tok.kind == "ident" and tok.text not in tok.hide else None
            if macro is None:
                i += 1
                continue
            if macro.params is None:
                end = i + 1
                hide = tok.hide | {macro.name}
                replacement = self._substitute(macro, [], [], hide, depth)
                args_raw: list[list[Token]] = []
                expanded: list[list[Token]] = []
            else:
                j = i + 1
                if j >= len(rest) or rest[j].text != "(":
                    i += 1  # a function-like macro's name without arguments is just a name
                    continue
                args_raw, end = self._collect_args(macro, rest, j)
                hide = (tok.hide & rest[end - 1].hide) | {macro.name}
                expanded = [self.expand(arg, record, depth + 1) for arg in args_raw]
                replacement = self._substitute(macro, args_raw, expanded, hide, depth)
            if replacement:
                first = replacement[0]
                replacement[0] = Token(first.text, first.kind, tok.space, first.hide)
            self._count += 1
            if self._count > self.max_steps:
                raise ExpansionError(f"more than {self.max_steps} replacements: stopping")
            if record:
                before = shown or render(rest)
                shown, lead = render_marked(rest[:i] + replacement + rest[end:], i)
                invocation, replaced = render(rest[i:end]), render(replacement)
                self.steps.append(Step(
                    len(self.steps) + 1, macro.name, macro.where, invocation, replaced,
                    [render(a) for a in args_raw], [render(a) for a in expanded], before, shown, i, end, depth,
                    max(before.find(invocation, lead), 0), max(shown.find(replaced, lead), 0) if replaced else lead))
            rest[i:end] = replacement
        return rest

    def _collect_args(self, macro: Macro, rest: list[Token], open_at: int) -> tuple[list[list[Token]], int]:
        args: list[list[Token]] = [[]]
        depth = 0
        k = open_at + 1
        while k < len(rest):
            tok = rest[k]
            if tok.text == "(":
                depth += 1
            elif tok.text == ")":
                if depth == 0:
                    break
                depth -= 1
            elif tok.text == "," and depth == 0 and not (
                    macro.variadic and len(args) == len(macro.params or [])):
                args.append([])
                k += 1
                continue
            args[-1].append(tok)
            k += 1
        else:
            raise ExpansionError(f"unterminated argument list invoking macro '{macro.name}'")
        params = macro.params or []
        if len(params) == 0 and args == [[]]:
            args = []
        elif macro.variadic and len(args) == len(params) - 1:
            args.append([])  # the variable arguments may be left out entirely
        if len(args) != len(params):
            wanted = f"{len(params)}{' or more' if macro.variadic else ''}"
            raise ExpansionError(f"macro '{macro.name}' requires {wanted} arguments, but {len(args)} given")
        return args, k + 1

    def _substitute(self, macro: Macro, raw: list[list[Token]], expanded: list[list[Token]],
                    hide: frozenset[str], depth: int) -> list[Token]:
        plan = macro.plan()
        if plan is not None:
            # No # or ##: each parameter is its fully expanded argument.
            out: list[Token] = []
            for tok, n in plan:
                if n < 0:
                    out.append(tok)
                elif expanded[n]:
                    first = expanded[n][0]
                    out.append(Token(first.text, first.kind, tok.space, first.hide))
                    out.extend(expanded[n][1:])
            return self._hidden(out, hide)
        return self._general(macro, raw, expanded, hide, depth)

    def _hidden(self, out: list[Token], hide: frozenset[str]) -> list[Token]:
        # Most tokens share a few hide sets: make each union once.
        unions: dict[frozenset[str], frozenset[str]] = {}
        result = []
        for t in out:
            if t.kind == "placemarker":
                continue
            union = unions.get(t.hide)
            if union is None:
                union = unions[t.hide] = t.hide | hide
            result.append(Token(t.text, t.kind, t.space, union))
        return result

    def _general(self, macro: Macro, raw: list[list[Token]], expanded: list[list[Token]],
                 hide: frozenset[str], depth: int) -> list[Token]:
        params = {name: n for n, name in enumerate(macro.params or [])}
        va = params.get(macro.params[-1]) if macro.variadic and macro.params else None
        body = macro.body
        out: list[Token] = []
        i = 0
        while i < len(body):
            tok = body[i]
            nxt = body[i + 1] if i + 1 < len(body) else None
            if tok.text == "#" and macro.params is not None and nxt is not None and nxt.text in params:
                out.append(Token(_stringize(raw[params[nxt.text]]), "string", tok.space))
                i += 2
                continue
            if tok.text == "__VA_OPT__" and va is not None and nxt is not None and nxt.text == "(":
                content, i = _va_opt_content(body, i + 1)
                if any(t.kind != "placemarker" for t in expanded[va]):
                    sub = Macro(macro.name, macro.params, content, macro.variadic, macro.where)
                    inner = self._substitute(sub, raw, expanded, frozenset(), depth)
                    out.extend(inner if inner else [PLACEMARKER])
                else:
                    out.append(PLACEMARKER)
                continue
            if tok.text == "##" and out:
                i += 1
                if i >= len(body):
                    break
                right = body[i]
                # GNU `, ## __VA_ARGS__`: with no variable arguments the comma goes away; with
                # some, they follow the comma as written (no paste happens).
                if right.text in params and params[right.text] == va and out[-1].text == ",":
                    if not raw[va]:
                        out.pop()
                    else:
                        first = raw[va][0]
                        out.append(Token(first.text, first.kind, right.space, first.hide))
                        out.extend(raw[va][1:])
                    i += 1
                    continue
                if right.text in params:
                    operand = raw[params[right.text]] or [PLACEMARKER]
                elif right.text == "__VA_OPT__" and va is not None:
                    content, i = _va_opt_content(body, i + 1)
                    i -= 1
                    if any(t.kind != "placemarker" for t in expanded[va]):
                        sub = Macro(macro.name, macro.params, content, macro.variadic, macro.where)
                        operand = self._substitute(sub, raw, expanded, frozenset(), depth) or [PLACEMARKER]
                    else:
                        operand = [PLACEMARKER]
                else:
                    operand = [right]
                out[-1:] = _paste(out[-1], operand[0], macro.name, self.assembly) + operand[1:]
                i += 1
                continue
            if tok.text in params:
                n = params[tok.text]
                pasted_next = nxt is not None and nxt.text == "##"
                value = raw[n] if pasted_next else expanded[n]
                if not value:
                    out.append(PLACEMARKER)
                else:
                    first = value[0]
                    out.append(Token(first.text, first.kind, tok.space, first.hide))
                    out.extend(value[1:])
                i += 1
                continue
            out.append(tok)
            i += 1
        return self._hidden(out, hide)


def _va_opt_content(body: list[Token], open_at: int) -> tuple[list[Token], int]:
    """The tokens inside `__VA_OPT__( ... )` and the index after its ')'."""
    depth = 0
    k = open_at + 1
    while k < len(body):
        if body[k].text == "(":
            depth += 1
        elif body[k].text == ")":
            if depth == 0:
                return body[open_at + 1 : k], k + 1
            depth -= 1
        k += 1
    raise ExpansionError("unterminated __VA_OPT__")


def _stringize(tokens: list[Token]) -> str:
    parts: list[str] = []
    for tok in tokens:
        if tok.kind == "placemarker":
            continue
        text = tok.text
        if tok.kind in ("string", "char"):
            text = text.replace("\\", "\\\\").replace('"', '\\"')
        if parts and tok.space:
            parts.append(" ")
        parts.append(text)
    return '"' + "".join(parts) + '"'


def _paste(left: Token, right: Token, macro: str, assembly: bool = False) -> list[Token]:
    if left.kind == "placemarker":
        return [right]
    if right.kind == "placemarker":
        return [left]
    text = left.text + right.text
    tokens = tokenize(text, assembly)
    if len(tokens) != 1 and assembly:
        return [left, Token(right.text, right.kind, False, right.hide)]  # `name##:` makes `name:`
    if len(tokens) != 1:
        raise ExpansionError(f"pasting \"{left.text}\" and \"{right.text}\" in '{macro}' does not give a valid "
                             "preprocessing token")
    return [Token(text, tokens[0].kind, left.space, left.hide & right.hide)]
