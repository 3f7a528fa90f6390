"""`#if` conditions evaluated with what is known: true, false, or unknown (None).

A configuration (a kernel `.config`) makes `CONFIG_*` names known; everything else the
condition names stays unknown unless the C language fixes it, and unknown propagates
the way `&&`, `||` and `?:` let it (`0 && x` is false whatever `x` is).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from xref.macros import Token, tokenize

Value = int | None

DEFAULT_ARCH = "x86_64"  # the architecture xref assumes when the index was given none


def kernel_srcarch(arch: str) -> str:
    """The directory under arch/ that kbuild's ARCH= builds from (SRCARCH)."""
    return "x86" if arch in ("x86_64", "i386", "x86") else arch


# What the compiler of both trees fixes: C (not assembly, not C++) compiled by GCC (Debian 12's).
_UNDEFINED_IN_C = frozenset({"__ASSEMBLY__", "__ASSEMBLER__", "__cplusplus", "__clang__"})
_PREDEFINED = {"__GNUC__": 12, "__GNUC_MINOR__": 2, "__STDC__": 1, "__STDC_VERSION__": 201710}
_CONFIG_TESTS = {"IS_ENABLED": ("y", "m"), "IS_REACHABLE": ("y", "m"), "IS_BUILTIN": ("y",), "IS_MODULE": ("m",)}


def read_config(path: Path) -> dict[str, str]:
    """CONFIG_X=value lines of a .config ('y', 'm', numbers, strings with their quotes)."""
    values: dict[str, str] = {}
    for line in path.read_text(errors="replace").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.startswith("CONFIG_"):
            values[name] = value
    return values


def evaluate(condition: str, config: Mapping[str, str] | None = None,
             assumed: Mapping[str, str] | None = None) -> bool | None:
    """True/False when the condition's value is fixed, None when it is not.

    `config`: a whole .config (a CONFIG_ name it lacks is not set); `assumed`: single settings
    known without one (the i386 ABI on x86_64 implies CONFIG_IA32_EMULATION=y), or macros the
    context defines (`__ASSEMBLER__` in a .S file); others unknown.
    """
    try:
        value = _Parser(tokenize(condition), config, assumed or {}).parse()
    except (IndexError, ValueError, ZeroDivisionError):
        return None
    return None if value is None else bool(value)


class _Parser:
    """Precedence climbing over the preprocessor's integer operators, with None for unknown."""

    _BINARY = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="), ("<<", ">>"),
               ("+", "-"), ("*", "/", "%")]

    def __init__(self, tokens: list[Token], config: Mapping[str, str] | None, assumed: Mapping[str, str]) -> None:
        self.tokens = tokens
        self.config = config
        self.assumed = assumed
        self.i = 0

    def parse(self) -> Value:
        value = self._conditional()
        if self.i != len(self.tokens):
            raise ValueError("trailing tokens")
        return value

    def _peek(self) -> str:
        return self.tokens[self.i].text if self.i < len(self.tokens) else ""

    def _take(self, expected: str | None = None) -> Token:
        tok = self.tokens[self.i]
        if expected is not None and tok.text != expected:
            raise ValueError(f"expected {expected}")
        self.i += 1
        return tok

    def _conditional(self) -> Value:
        test = self._binary(0)
        if self._peek() != "?":
            return test
        self._take("?")
        yes = self._conditional()
        self._take(":")
        no = self._conditional()
        if test is None:
            return yes if yes == no else None
        return yes if test else no

    def _binary(self, level: int) -> Value:
        if level == len(self._BINARY):
            return self._unary()
        left = self._binary(level + 1)
        while self._peek() in self._BINARY[level]:
            op = self._take().text
            right = self._binary(level + 1)
            left = _apply(op, left, right)
        return left

    def _unary(self) -> Value:
        op = self._peek()
        if op in ("!", "~", "-", "+"):
            self._take()
            value = self._unary()
            if value is None:
                return None
            return {"!": int(not value), "~": ~value, "-": -value, "+": value}[op]
        return self._primary()

    def _primary(self) -> Value:
        tok = self._take()
        if tok.text == "(":
            value = self._conditional()
            self._take(")")
            return value
        if tok.kind == "number":
            return int(re.sub(r"[uUlL]+$", "", tok.text), 0)
        if tok.kind == "char":
            return None
        if tok.kind != "ident":
            raise ValueError(f"unexpected {tok.text}")
        if tok.text == "defined":
            parenthesized = self._peek() == "("
            if parenthesized:
                self._take("(")
            name = self._take().text
            if parenthesized:
                self._take(")")
            return self._defined(name)
        if self._peek() == "(":
            args = self._skip_call()
            if tok.text in _CONFIG_TESTS and len(args) == 1:
                return self._config_test(args[0], _CONFIG_TESTS[tok.text])
            return None
        return self._name(tok.text)

    def _skip_call(self) -> list[str]:
        """Consume `( ... )` and return its arguments' texts."""
        depth, args, current = 0, [], []
        while True:
            tok = self._take()
            if tok.text == "(":
                depth += 1
                if depth == 1:
                    continue
            elif tok.text == ")":
                depth -= 1
                if depth == 0:
                    args.append(" ".join(current))
                    return args
            elif tok.text == "," and depth == 1:
                args.append(" ".join(current))
                current = []
                continue
            current.append(tok.text)

    def _setting(self, name: str) -> tuple[bool, str | None]:
        """(whether the setting is known, its .config value or None when not set)."""
        if name in self.assumed:
            return True, self.assumed[name]
        if self.config is not None:
            return True, self.config.get(name)
        return False, None

    def _defined(self, name: str) -> Value:
        if name in self.assumed and not name.startswith("CONFIG_"):
            return 1  # a macro the context defines (__ASSEMBLER__ for a .S file)
        if name in _UNDEFINED_IN_C:
            return 0
        if name in _PREDEFINED:
            return 1
        if name.startswith("CONFIG_"):
            known, value = self._macro(name)
            return int(value is not None) if known else None
        return None

    def _macro(self, name: str) -> tuple[bool, str | None]:
        """What autoconf.h defines `name` to: `=y` gives 1, `=m` gives NAME_MODULE 1."""
        if name.endswith("_MODULE"):
            known, base = self._setting(name[:-7])
            if known and base == "m":
                return True, "1"
        known, value = self._setting(name)
        if value == "m":
            return known, None
        return known, "1" if value == "y" else value

    def _config_test(self, name: str, states: tuple[str, ...]) -> Value:
        known, value = self._setting(name) if name.startswith("CONFIG_") else (False, None)
        return int(value in states) if known else None

    def _name(self, name: str) -> Value:
        if name in self.assumed and not name.startswith("CONFIG_"):
            try:
                return int(self.assumed[name], 0)
            except ValueError:
                return None
        if name in _UNDEFINED_IN_C:
            return 0
        if name in _PREDEFINED:
            return _PREDEFINED[name]
        if name.startswith("CONFIG_"):
            known, value = self._macro(name)
            if not known:
                return None
            if value is None:
                return 0  # an undefined name is 0 in #if
            try:
                return int(value, 0)
            except ValueError:
                return None
        return None


def _apply(op: str, left: Value, right: Value) -> Value:
    if op == "&&":
        if left == 0 or right == 0:
            return 0
        return None if left is None or right is None else 1
    if op == "||":
        if (left is not None and left != 0) or (right is not None and right != 0):
            return 1
        return None if left is None or right is None else 0
    if left is None or right is None:
        return None
    if op in ("/", "%") and right == 0:
        raise ZeroDivisionError
    return {
        "|": lambda: left | right, "^": lambda: left ^ right, "&": lambda: left & right,
        "==": lambda: int(left == right), "!=": lambda: int(left != right), "<": lambda: int(left < right),
        ">": lambda: int(left > right), "<=": lambda: int(left <= right), ">=": lambda: int(left >= right),
        "<<": lambda: left << right, ">>": lambda: left >> right, "+": lambda: left + right,
        "-": lambda: left - right, "*": lambda: left * right, "/": lambda: int(left / right),
        "%": lambda: left % right,
    }[op]()
