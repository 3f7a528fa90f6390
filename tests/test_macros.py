"""The expansion engine against the real preprocessor, on corner cases of the C standard's kind."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from xref.macros import Expander, ExpansionError, parse_define, tokenize

CPP = shutil.which("clang") or shutil.which("gcc")


def engine(source: str) -> tuple[list[str], Expander]:
    """Process #define/#undef lines in order and expand every other line, as one text."""
    table = {}
    expander = Expander(table.get)
    texts: list[str] = []
    for line in source.replace("\\\n", " ").splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            directive = stripped[1:].strip()
            if directive.startswith("define"):
                macro = parse_define(directive[len("define"):])
                table[macro.name] = macro
            elif directive.startswith("undef"):
                table.pop(directive.split()[1], None)
            continue
        texts.append(line)
    tokens = expander.expand(tokenize("\n".join(texts)), record=True)
    return [t.text for t in tokens], expander


def real_preprocessor(source: str) -> list[str]:
    proc = subprocess.run([CPP, "-E", "-P", "-x", "c", "-std=gnu11", "-"], input=source, capture_output=True,
                          text=True, check=True)
    return [t.text for t in tokenize(proc.stdout)]


CASES = {
    # C11 6.10.3.5 EXAMPLE 3: rescanning, self-reference, nested and recursive uses
    "standard_example_3": """
#define x 3
#define f(a) f(x * (a))
#undef x
#define x 2
#define g f
#define z z[0]
#define h g(~
#define m(a) a(w)
#define w 0,1
#define t(a) a
#define p() int
#define q(x) x
#define r(x,y) x ## y
#define str(x) # x
f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);
g(x+(3,4)-w) | h 5) & m
(f)^m(m);
p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };
char c[2][6] = { str(hello), str() };
""",
    # EXAMPLE 4: # and ## interplay, expansion before stringizing through a second macro
    "standard_example_4": """
#define str(s) # s
#define xstr(s) str(s)
#define debug(s, t) printf("x" # s "= %d, x" # t "= %s", x ## s, x ## t)
#define INCFILE(n) vers ## n
#define glue(a, b) a ## b
#define xglue(a, b) glue(a, b)
#define HIGHLOW "hello"
#define LOW LOW ", world"
debug(1, 2);
fputs(str(strncmp("abc\\0d", "abc", '\\4') == 0) str(: @\\n), s);
xstr(INCFILE(2).h)
glue(HIGH, LOW);
xglue(HIGH, LOW)
""",
    # EXAMPLE 5: empty arguments and placemarkers
    "standard_example_5": """
#define t(x,y,z) x ## y ## z
int j[] = { t(1,2,3), t(,4,5), t(6,,7), t(8,9,),
 t(10,,), t(,11,), t(,,12), t(,,) };
""",
    # EXAMPLE 7: variable arguments
    "standard_example_7": """
#define debug(...) fprintf(stderr, __VA_ARGS__)
#define showlist(...) puts(#__VA_ARGS__)
#define report(test, ...) ((test)?puts(#test): printf(__VA_ARGS__))
debug("Flag");
debug("X = %d\\n", x);
showlist(The first, second, and third items.);
report(x>y, "x is %d but y is %d", x, y);
""",
    "gnu_named_variadics_and_comma_paste": """
#define eprintf(format, args...) fprintf(stderr, format , ## args)
#define vprintf2(fmt, ...) printf(fmt, ## __VA_ARGS__)
eprintf("success!\\n");
eprintf("%s:%d: ", input_file, lineno);
vprintf2("none");
vprintf2("%d %d", 1, 2);
""",
    "va_opt": """
#define F(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)
#define G(X, ...) X __VA_OPT__(- X ## __VA_ARGS__)
F(1)
F(1, 2, 3)
G(a)
G(a, b)
""",
    "argument_prescan_and_hide_sets": """
#define AA BB
#define BB AA
#define f(x) x AA
#define g(x) f(x) f
#define CAT(a, b) a ## b
#define XCAT(a, b) CAT(a, b)
AA BB f(AA) g(1)(2)
CAT(A, A) XCAT(A, A) CAT(f, )(3)
""",
    "kernel_shaped_map": """
#define __MAP0(m,...)
#define __MAP1(m,t,a,...) m(t,a)
#define __MAP2(m,t,a,...) m(t,a), __MAP1(m,__VA_ARGS__)
#define __MAP3(m,t,a,...) m(t,a), __MAP2(m,__VA_ARGS__)
#define __MAP(n,...) __MAP##n(__VA_ARGS__)
#define __SC_DECL(t, a) t a
#define __SC_LONG(t, a) long a
#define SYSCALL_DEFINEx(x, sname, ...) long sys##sname(__MAP(x,__SC_DECL,__VA_ARGS__)); \\
    static long __se_sys##sname(__MAP(x,__SC_LONG,__VA_ARGS__))
#define SYSCALL_DEFINE3(name, ...) SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
SYSCALL_DEFINE3(bind, int, fd, struct sockaddr *, umyaddr, int, addrlen)
""",
}


@pytest.mark.skipif(CPP is None, reason="no clang or gcc to compare with")
@pytest.mark.parametrize("name", sorted(CASES))
def test_final_text_matches_the_real_preprocessor(name):
    ours, _ = engine(CASES[name])
    assert ours == real_preprocessor(CASES[name])


def test_steps_record_the_invocation_macro_and_arguments():
    _, expander = engine("#define sq(x) ((x) * (x))\n#define two 2\nsq(two)\n")
    first = expander.steps[-1]
    assert first.macro == "sq" and first.invocation == "sq(two)"
    assert first.args == ["two"] and first.expanded_args == ["2"]
    assert first.before == "sq(two)" and first.after == "((2) * (2))"
    nested = [s for s in expander.steps if s.macro == "two"]
    assert nested and nested[0].depth == 1  # the argument's own expansion, before substitution


def test_each_step_text_follows_from_the_last():
    _, expander = engine(CASES["kernel_shaped_map"])
    top = [s for s in expander.steps if s.depth == 0]
    assert [s.macro for s in top][:2] == ["SYSCALL_DEFINE3", "SYSCALL_DEFINEx"]
    for earlier, later in zip(top, top[1:], strict=False):
        assert earlier.after == later.before


@pytest.mark.parametrize("source, message", [
    ("#define f(a, b) a b\nf(1)\n", "requires 2 arguments, but 1 given"),
    ("#define f(a) a\nf(1, 2)\n", "requires 1 arguments, but 2 given"),
    ("#define f(a) a\nf(1\n", "unterminated argument list invoking macro 'f'"),
    ("#define cat(a, b) a ## b\ncat(., +)\n", "does not give a valid preprocessing token"),
])
def test_errors_name_the_problem_as_the_compiler_would(source, message):
    with pytest.raises(ExpansionError, match=message):
        engine(source)
