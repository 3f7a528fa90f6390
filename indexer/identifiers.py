"""Every identifier occurrence in a C or assembly file, by line, found with one bytes regex.

Comments, string and character literals and `#include` lines are blanked first (newlines
kept), so line numbers stay right and only code counts, as in cscope.
"""

from __future__ import annotations

import re

_NOISE = re.compile(
    rb"/\*.*?\*/"  # block comment
    rb"|//[^\n]*"  # line comment
    rb'|"(?:\\.|[^"\\\n])*"'  # string literal
    rb"|'(?:\\.|[^'\\\n])*'"  # character literal
    rb"|^[ \t]*#[ \t]*include[^\n]*",  # include line: its path is not code
    re.S | re.M,
)
_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
# In assembly, "#" starts a comment unless it is a preprocessor directive.
_ASM_COMMENT = re.compile(
    rb"/\*.*?\*/|(?<![\w$])#(?![ \t]*(?:define|if|ifdef|ifndef|else|elif|endif|undef|include))[^\n]*",
    re.S | re.M,
)

C_KEYWORDS = frozenset(
    b"auto break case char const continue default do double else enum extern float for goto if "
    b"inline int long register restrict return short signed sizeof static struct switch typedef "
    b"union unsigned void volatile while _Bool _Complex _Static_assert __asm__ asm __attribute__ "
    b"typeof __typeof__ __inline __inline__ __volatile__ __restrict define ifdef ifndef endif elif "
    b"undef defined pragma error".split()
)


def _blank(match: re.Match[bytes]) -> bytes:
    return b"\n" * match.group().count(b"\n")


def strip_noise(source: bytes, includes: list[tuple[int, bytes]] | None = None) -> bytes:
    """Source with comments, literals and include lines replaced by their newlines.

    `includes`, when given, receives (offset, text) of every include line blanked.
    """
    if includes is None:
        return _NOISE.sub(_blank, source)

    def blank(match: re.Match[bytes]) -> bytes:
        text = match.group()
        if text[0] in b" \t#":
            includes.append((match.start(), text))
        return b"\n" * text.count(b"\n")

    return _NOISE.sub(blank, source)


def identifier_lines(source: bytes, assembly: bool = False, stripped: bool = False) -> dict[str, list[int]]:
    """Map each identifier to the ascending lines it occurs on (each line once).

    `stripped`: the source already went through strip_noise.
    """
    text = source if stripped else strip_noise(source)
    if assembly:
        text = _ASM_COMMENT.sub(_blank, text)
    found: dict[bytes, list[int]] = {}
    findall = _IDENT.findall
    for number, line in enumerate(text.split(b"\n"), 1):
        if not line:
            continue
        for name in set(findall(line)):
            lines = found.get(name)
            if lines is None:
                found[name] = [number]
            else:
                lines.append(number)
    for keyword in C_KEYWORDS & found.keys():
        del found[keyword]
    return {name.decode("ascii"): lines for name, lines in found.items()}
