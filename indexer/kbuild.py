"""Which C files a kernel configuration compiles, read from kbuild Makefiles as kbuild reads them.

A small evaluator of the make subset kbuild files use (assignments, `ifeq`/`ifdef`
conditionals, `$(VAR)` and the common text functions) walks from the top-level Kbuild
through every `obj-y`/`obj-m` directory and composite object, with the `.config` values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xref.conditions import kernel_srcarch

# (relative .c path, built as a module, the directory's extra flags in kbuild order)


@dataclass
class KObject:
    source: str  # path of the .c file relative to the tree
    module: bool  # obj-m: built with -DMODULE
    flags: list[str] = field(default_factory=list)  # ccflags-y, subdir-ccflags-y, CFLAGS_obj.o
    modname: str = ""  # KBUILD_MODNAME: the composite object or the file's own name


_VAR = re.compile(r"\$\(([^()$]*(?:\$\([^()]*\)[^()$]*)*)\)|\$\{([^{}]*)\}|\$([A-Za-z@<^])")
_RULE = re.compile(r"^[^\t=#][^=]*?[^:=]:(?!=)")


class Makefile:
    """Variables after reading one kbuild file (and what it includes from the tree)."""

    def __init__(self, variables: dict[str, str]) -> None:
        self.vars = dict(variables)

    # -- expansion --------------------------------------------------------------

    def expand(self, text: str, depth: int = 0) -> str:
        if "$" not in text or depth > 20:
            return text
        out: list[str] = []
        i = 0
        while i < len(text):
            j = text.find("$", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j])
            if j + 1 >= len(text):
                break
            opener = text[j + 1]
            if opener in "({":
                closer = ")" if opener == "(" else "}"
                end, nest = j + 2, 1
                while end < len(text) and nest:
                    if text[end] == opener:
                        nest += 1
                    elif text[end] == closer:
                        nest -= 1
                    end += 1
                inner = text[j + 2 : end - 1]
                out.append(self._reference(inner, depth))
                i = end
            elif opener == "$":
                out.append("$")
                i = j + 2
            else:
                out.append(self.vars.get(opener, ""))
                i = j + 2
        return "".join(out)

    def _reference(self, inner: str, depth: int) -> str:
        name, _, rest = inner.partition(" ")
        if rest and name in _FUNCTIONS:
            args = _split_args(rest)
            return _FUNCTIONS[name](self, args, depth)
        if ":" in inner and "=" in inner:  # $(var:.o=.c)
            var, _, subst = inner.partition(":")
            old, _, new = subst.partition("=")
            words = self.expand(self.vars.get(self.expand(var, depth + 1), ""), depth + 1).split()
            return " ".join(w[: -len(old)] + new if old and w.endswith(old) else w for w in words)
        return self.expand(self.vars.get(self.expand(inner, depth + 1), ""), depth + 1)

    # -- reading ------------------------------------------------------------------

    def read(self, path: Path, include_root: Path | None = None) -> None:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            return
        text = re.sub(r"\\\n[ \t]*", " ", text)
        # One entry per open conditional: [lines count now, some branch was already taken].
        stack: list[list[bool]] = []
        in_rule = False
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].rstrip() if "#" in raw else raw.rstrip()
            if not line.strip():
                continue
            if raw.startswith("\t") and in_rule:
                continue  # a recipe line, not kbuild variables (a tab alone does not make one)
            word = line.split(None, 1)[0]
            in_rule = _RULE.match(line) is not None and _assignment(line.strip()) is None
            outer = all(entry[0] for entry in stack)
            if word in ("ifeq", "ifneq", "ifdef", "ifndef"):
                taken = outer and self._condition(word, line[len(word):].strip())
                stack.append([taken, taken])
                continue
            if word == "else" and stack:
                entry = stack.pop()
                outer = all(e[0] for e in stack)
                rest = line[4:].strip()
                kind = rest.split(None, 1)[0] if rest else ""
                if entry[1]:
                    entry[0] = False
                elif kind:
                    entry[0] = outer and self._condition(kind, rest[len(kind):].strip())
                else:
                    entry[0] = outer
                entry[1] = entry[1] or entry[0]
                stack.append(entry)
                continue
            if word == "endif":
                if stack:
                    stack.pop()
                continue
            if not outer:
                continue
            if word in ("include", "-include", "sinclude") and include_root is not None:
                for target in self.expand(line.split(None, 1)[1] if " " in line else "").split():
                    target_path = Path(target) if target.startswith("/") else include_root / target
                    if target_path.is_file() and target_path.suffix not in (".build", ".lib"):
                        self.read(target_path, include_root)
                continue
            parts = _assignment(line.strip())
            if parts is None:
                continue
            name, op, value = self.expand(parts[0]).strip(), parts[1], parts[2].strip()
            if op in (":=", "::="):
                self.vars[name] = self.expand(value)
            elif op == "+=":
                old = self.vars.get(name, "")
                self.vars[name] = f"{old} {self.expand(value)}".strip()
            elif op == "?=":
                self.vars.setdefault(name, value)
            else:
                self.vars[name] = value

    def _condition(self, word: str, rest: str) -> bool:
        if word in ("ifdef", "ifndef"):
            defined = bool(self.expand(self.vars.get(self.expand(rest), "")).strip())
            return defined if word == "ifdef" else not defined
        left, right = _condition_args(rest)
        same = self.expand(left).strip() == self.expand(right).strip()
        return same if word == "ifeq" else not same

    def words(self, name: str) -> list[str]:
        return self.expand(self.vars.get(name, "")).split()


def _assignment(line: str) -> tuple[str, str, str] | None:
    """(name, operator, value) when the line assigns a variable; the name may hold $(...) calls."""
    depth = 0
    for i, ch in enumerate(line):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif depth == 0 and ch == "=":
            for op in ("::=", ":=", "+=", "?=", "="):
                start = i - len(op) + 1
                if start >= 0 and line[start : i + 1] == op:
                    name = line[:start].strip()
                    bare = name
                    while "$(" in bare or "${" in bare:
                        stripped = re.sub(r"\$[({][^(){}]*[)}]", "", bare)
                        if stripped == bare:
                            break
                        bare = stripped
                    if name and not re.search(r"\s", bare) and not name.startswith(("ifeq", "ifneq")):
                        return name, op, line[i + 1:]
                    return None
        elif depth == 0 and ch == ":" and line[i + 1 : i + 2] not in ("=", ":"):
            return None  # a rule
    return None


def _condition_args(rest: str) -> tuple[str, str]:
    rest = rest.strip()
    if rest.startswith("("):
        args = _split_args(rest[1:-1] if rest.endswith(")") else rest[1:])
        return (args + ["", ""])[0], (args + ["", ""])[1]
    quoted = re.findall(r"\"([^\"]*)\"|'([^']*)'", rest)
    values = [a or b for a, b in quoted]
    return (values + ["", ""])[0], (values + ["", ""])[1]


def _split_args(text: str) -> list[str]:
    """Split a function's arguments at top-level commas."""
    args, depth, current = [], 0, []
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "," and depth == 0:
            args.append("".join(current))
            current = []
        else:
            current.append(ch)
    args.append("".join(current))
    return args


def _pattern(pattern: str, word: str) -> str | None:
    """The stem if word matches a make pattern with one %, else None."""
    if "%" not in pattern:
        return "" if pattern == word else None
    head, _, tail = pattern.partition("%")
    if word.startswith(head) and word.endswith(tail) and len(word) >= len(head) + len(tail):
        return word[len(head) : len(word) - len(tail)]
    return None


def _fn_patsubst(mk: Makefile, args: list[str], depth: int) -> str:
    pat, rep, text = (mk.expand(a, depth + 1) for a in (args + ["", "", ""])[:3])
    out = []
    for word in text.split():
        stem = _pattern(pat.strip(), word)
        out.append(word if stem is None else rep.strip().replace("%", stem, 1))
    return " ".join(out)


def _fn_filter(keep: bool):
    def run(mk: Makefile, args: list[str], depth: int) -> str:
        patterns = mk.expand(args[0], depth + 1).split()
        words = mk.expand(args[1] if len(args) > 1 else "", depth + 1).split()
        return " ".join(w for w in words if any(_pattern(p, w) is not None for p in patterns) == keep)

    return run


def _fn_if(mk: Makefile, args: list[str], depth: int) -> str:
    cond = mk.expand(args[0], depth + 1).strip()
    if cond:
        return mk.expand(args[1], depth + 1) if len(args) > 1 else ""
    return mk.expand(args[2], depth + 1) if len(args) > 2 else ""


_FUNCTIONS = {
    "addprefix": lambda mk, a, d: " ".join(mk.expand(a[0], d + 1).strip() + w
                                           for w in mk.expand(a[1] if len(a) > 1 else "", d + 1).split()),
    "addsuffix": lambda mk, a, d: " ".join(w + mk.expand(a[0], d + 1).strip()
                                           for w in mk.expand(a[1] if len(a) > 1 else "", d + 1).split()),
    "patsubst": _fn_patsubst,
    "subst": lambda mk, a, d: mk.expand(a[2] if len(a) > 2 else "", d + 1).replace(
        mk.expand(a[0], d + 1), mk.expand(a[1] if len(a) > 1 else "", d + 1)),
    "filter": _fn_filter(True),
    "filter-out": _fn_filter(False),
    "if": _fn_if,
    "strip": lambda mk, a, d: " ".join(mk.expand(",".join(a), d + 1).split()),
    "sort": lambda mk, a, d: " ".join(sorted(set(mk.expand(",".join(a), d + 1).split()))),
    "firstword": lambda mk, a, d: (mk.expand(",".join(a), d + 1).split() or [""])[0],
    "notdir": lambda mk, a, d: " ".join(w.rsplit("/", 1)[-1] for w in mk.expand(",".join(a), d + 1).split()),
    "basename": lambda mk, a, d: " ".join(w.rsplit(".", 1)[0] for w in mk.expand(",".join(a), d + 1).split()),
    "wildcard": lambda mk, a, d: "",
    "shell": lambda mk, a, d: "",
    "call": lambda mk, a, d: "",  # cc-option and friends: compiler probes we do not run
    "error": lambda mk, a, d: "",
    "warning": lambda mk, a, d: "",
    "info": lambda mk, a, d: "",
}


def _config_vars(config: dict[str, str], arch: str) -> dict[str, str]:
    bits = "32" if arch == "i386" else "64"
    values = {name: value.strip('"') for name, value in config.items()}
    values.update(ARCH=arch, SRCARCH=kernel_srcarch(arch), BITS=bits, srctree=".", objtree=".")
    return values


def objects(tree: Path, config: dict[str, str], arch: str = "x86_64",
            dirs: list[str] | None = None) -> list[KObject]:
    """Every .c file the configuration compiles into vmlinux or a module, with its kbuild flags."""
    base = _config_vars(config, arch)
    top = Makefile(base)
    srcarch = base["SRCARCH"]
    arch_makefile = tree / "arch" / srcarch / "Makefile"
    if arch_makefile.is_file() and (tree / "Kbuild").is_file():
        arch_vars = Makefile(base)
        arch_vars.read(arch_makefile)
        base["ARCH_CORE"] = " ".join(arch_vars.words("core-y"))
        base["ARCH_LIB"] = " ".join(w for w in arch_vars.words("libs-y") if w.endswith("/"))
        base["ARCH_DRIVERS"] = " ".join(arch_vars.words("drivers-y") + arch_vars.words("drivers-m"))
        top = Makefile(base)
    top.read(tree / "Kbuild" if (tree / "Kbuild").is_file() else tree / "Makefile")
    found: dict[str, KObject] = {}
    pending: list[tuple[str, bool, list[str]]] = []
    libs = top.words("libs-y")
    if (tree / "Kbuild").is_file() and (tree / "lib" / "Makefile").is_file():
        libs.append("lib/")  # the top-level Makefile's `libs-y := lib/`, linked as lib.a
    for entry in top.words("obj-y") + top.words("core-y") + libs:
        if entry.endswith("/"):
            pending.append((entry.rstrip("/"), False, []))
    for entry in top.words("obj-m"):
        if entry.endswith("/"):
            pending.append((entry.rstrip("/"), True, []))
    wanted = [d.strip("/") for d in dirs] if dirs else None
    seen: set[str] = set()
    while pending:
        directory, module, inherited = pending.pop(0)
        if directory in seen:
            continue
        seen.add(directory)
        _walk_dir(tree, directory, module, inherited, base, found, pending)
    result = sorted(found.values(), key=lambda o: o.source)
    if wanted is not None:
        result = [o for o in result if any(o.source.startswith(w + "/") for w in wanted)]
    return result


def _walk_dir(tree: Path, directory: str, module: bool, inherited: list[str], base: dict[str, str],
              found: dict[str, KObject], pending: list) -> None:
    path = tree / directory
    kbuild = path / "Kbuild" if (path / "Kbuild").is_file() else path / "Makefile"
    if not kbuild.is_file():
        return
    mk = Makefile({**base, "src": directory, "obj": directory})
    mk.read(kbuild, include_root=tree)
    dir_flags = inherited + mk.words("subdir-ccflags-y")
    ccflags = dir_flags + mk.words("ccflags-y") + mk.words("EXTRA_CFLAGS")
    for entries, as_module in ((mk.words("obj-y") + mk.words("lib-y"), module), (mk.words("obj-m"), True)):
        for entry in entries:
            if entry.endswith("/"):
                pending.append((f"{directory}/{entry.rstrip('/')}", as_module, dir_flags))
                continue
            if not entry.endswith(".o"):
                continue
            stem = entry[:-2]
            parts = mk.words(f"{stem}-y") + mk.words(f"{stem}-objs")
            if as_module:
                parts += mk.words(f"{stem}-m")
            if parts:  # composite object: its parts are the compiled files
                for part in parts:
                    if part.endswith("/"):
                        pending.append((f"{directory}/{part.rstrip('/')}", as_module, dir_flags))
                    elif part.endswith(".o"):
                        _add(tree, directory, part, as_module, ccflags, mk, found, stem)
            else:
                _add(tree, directory, entry, as_module, ccflags, mk, found, stem)


def _add(tree: Path, directory: str, obj: str, module: bool, ccflags: list[str], mk: Makefile,
         found: dict[str, KObject], modname: str) -> None:
    source = f"{directory}/{obj[:-2]}.c"
    if not (tree / source).is_file():
        return  # assembly, generated or a .S object: not a C translation unit
    flags = ccflags + mk.words(f"CFLAGS_{obj.rsplit('/', 1)[-1]}")
    removed = set(mk.words(f"CFLAGS_REMOVE_{obj.rsplit('/', 1)[-1]}"))
    flags = [f for f in flags if f not in removed]
    previous = found.get(source)
    if previous is None or (previous.module and not module):
        found[source] = KObject(source, module, flags, modname.rsplit("/", 1)[-1])
