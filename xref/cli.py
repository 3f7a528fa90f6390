"""The `xref` command line: a thin layer over `xref.queries` and the indexer.

Every error a user can cause ends in one sentence on stderr and a non-zero exit code:
1 for "not found", 2 for "cannot do that here" (no index, bad path, failed fetch).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from xref import __version__, limits
from xref.conditions import DEFAULT_ARCH
from xref.queries import Hit, Index, NoIndex


class UserError(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:
        _say(self.message)


def _say(message: str) -> None:
    """One line on standard error, `xref: ` first; what it quotes of the arguments is cut short."""
    click.echo(f"xref: {message if len(message) <= 500 else message[:500] + '...'}", err=True)


# The longest argument any command takes: a symbol, a pattern, a path (a page of text).
MAX_ARGUMENT = 1024


def _printable(arg: str) -> str:
    """`arg` with the bytes that are not UTF-8 (which Python gives as surrogates) replaced by
    U+FFFD, unless it names an existing file, which keeps its bytes."""
    try:
        arg.encode("utf-8")
        return arg
    except UnicodeEncodeError:
        if os.path.lexists(arg):
            return arg
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class _Commands(click.Group):
    """The command group: a full disk, a missing permission or a file where a directory should be,
    wherever it strikes, is one line."""

    def main(self, args=None, *rest, **kwargs):
        """Arguments are checked before click reads them: one longer than MAX_ARGUMENT is refused,
        and bytes that are not UTF-8 become U+FFFD (no symbol or pattern has them) unless the
        argument names an existing file."""
        args = list(sys.argv[1:] if args is None else args)
        for arg in args:
            if len(arg) > MAX_ARGUMENT:
                click.echo(f"xref: an argument of {len(arg):,} characters ({arg[:20]}...) is longer than "
                           f"the {MAX_ARGUMENT:,} xref takes.", err=True)
                sys.exit(2)
        args = [_printable(arg) for arg in args]
        return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context):
        import errno
        import sqlite3

        try:
            return super().invoke(ctx)
        except OSError as err:
            if err.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EROFS, errno.EPERM,
                                 errno.EEXIST, errno.ENOTDIR,  # a dangling link or a file where a directory goes
                                 errno.ENAMETOOLONG, errno.EISDIR, errno.ELOOP):
                raise
            where = f": {err.filename}" if err.filename else ""
            raise UserError(f"{err.strerror}{where}.") from None
        except limits.QueryTimeout as err:
            raise UserError(f"{err}.") from None
        except sqlite3.OperationalError as err:
            if str(err) == "interrupted":  # the deadline `_open` gave the index's queries
                raise UserError(f"{limits.QueryTimeout(limits.CLI_SECONDS)}.") from None
            if not any(words in str(err) for words in ("disk is full", "disk I/O error", "readonly")):
                raise
            raise UserError(f"the index could not be written: {err} (is the disk full?).") from None


def _db_option(f):
    """--db DIR, accepted before or after the command name (and XREF_DB)."""

    @click.option("--db", "db", metavar="DIR", default=None, expose_value=True,
                  help="Index directory (default: .xref/ found upward from here, or $XREF_DB).")
    @functools.wraps(f)
    def wrapper(*args, db=None, **kwargs):
        ctx = click.get_current_context()
        if db is None:
            db = (ctx.find_root().obj or {}).get("db")
        return f(*args, db=db, **kwargs)

    return wrapper


def _open(db: str | None) -> Index:
    try:
        index = Index.open(db)
    except NoIndex as err:
        raise UserError(str(err)) from None
    index.set_deadline(limits.Deadline(limits.CLI_SECONDS))
    return index


def _print_hits(hits: list[Hit], as_json: bool, multi_tree: bool, empty: str) -> None:
    if as_json:
        click.echo(json.dumps([h.to_json() for h in hits], indent=1))
    else:
        for h in hits:
            path = f"{h.tree}/{h.path}" if multi_tree else h.path
            detail = h.text
            if h.kind == "reference" and h.function:
                detail = f"{h.function}: {h.text}"
            elif h.kind == "call":
                detail = f"{h.caller or '<file scope>'} -> {h.callee}  [{h.how}]  {h.text}"
            elif h.kind == "registration":
                where = f"struct {h.struct}.{h.field}" if h.field else f"argument {h.extra.get('argpos')} of " \
                                                                         f"{h.extra.get('callee')}"
                how = f"copy of {h.extra['from']}" if h.extra.get("from") else h.how
                detail = f"{h.name} -> {where}  [{how}]  {h.text}"
            elif h.extra.get("macro"):
                detail = f"{detail}  [made by {h.extra['macro']}]"
            click.echo(f"{path}:{h.line}: {h.kind}  {detail}")
    if not hits:
        _say(f"{empty}")
        sys.exit(1)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="xref")
@click.option("--db", metavar="DIR", envvar="XREF_DB", default=None,
              help="Index directory for every command (default: .xref/ found upward, or $XREF_DB).")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Cross-reference and macro-expansion explorer for the Linux kernel and glibc.

    Index a tree with `xref index SRC`, then ask: def, refs, callers, callees, regs, search.
    """
    ctx.obj = {"db": db}


@main.command()
@click.argument("sources", nargs=-1, required=True, metavar="SRC [SRC ...]")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None, help="Worker processes (default: cores).")
@click.option("--verbose", "-v", is_flag=True, help="List the skipped files and why.")
@click.option("--semantic/--no-semantic", default=True, show_default=True,
              help="After the tree-sitter index is published, parse every translation unit the configuration "
                   "compiles with libclang (kernel: x86_64 defconfig unless --config or the tree gives a .config; "
                   "glibc: configured for x86_64; any tree: a compile_commands.json).")
@click.option("--unit-timeout", type=click.FloatRange(1, 3600), default=120, show_default=True, metavar="SECONDS",
              help="Give up a translation unit libclang has not parsed in this long (it is recorded as failed).")
@click.option("--glibc-tests", is_flag=True, help="Also parse glibc's test programs (not part of the library).")
@click.option("--build", "build", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Build directory of the configuration (default: xref's cache, prepared on first use).")
@click.option("--arch", default=DEFAULT_ARCH, show_default=True, help="Architecture of the configuration.")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A kernel .config saying what is built (default: the build directory's, the tree's, "
                   "or the architecture's defconfig).")
@click.option("--only", "only", multiple=True, metavar="PATH",
              help="Limit the semantic pass to translation units under PATH (repeatable).")
@_db_option
def index(sources: tuple[str, ...], jobs: int | None, verbose: bool, semantic: bool, unit_timeout: float,
          glibc_tests: bool, build: Path | None, arch: str, config: Path | None, only: tuple[str, ...],
          db: str | None) -> None:
    """Index one or more source trees (NAME=SRC names a tree; default: its directory name).

    The index goes to .xref/ in the first SRC, or to --db DIR. The tree-sitter layer is
    published first (queries answer from it at once); then the semantic pass runs over each
    kernel, glibc or compile_commands.json tree, with a progress bar. Its prerequisites (the
    Debian packages kbuild and glibc's configure need) are checked first: a tree missing them
    keeps the tree-sitter layer, and so does a tree whose configuration fails. Running it
    again re-parses only the files whose content changed and drops deleted ones, and only the
    translation units whose flags or any file they read changed; a killed run resumes from the
    units already parsed.

    For a kernel tree, what the configuration builds is read from kbuild's Makefiles with its
    .config (--config, the build directory's, the tree's own, or `make defconfig` for --arch:
    kconfig alone, no compiler run); paths and rankings leave out the .c files it does not build.
    """
    from indexer import glibcbuild, kconfig, pipeline

    trees = []
    for src in sources:
        tree = pipeline.tree_from_arg(src)
        if not tree.root.is_dir():
            raise UserError(f"{src} is not a directory.")
        trees.append(tree)
    names = [t.name for t in trees]
    if len(set(names)) != len(names):
        raise UserError("two trees have the same name; name them with NAME=SRC.")
    index_dir = Path(db) if db else trees[0].root / ".xref"
    progress = _progress_printer()
    log = lambda text: click.echo(f"xref: {text}", err=True)  # noqa: E731
    explicit = click.get_current_context().get_parameter_source("semantic") == click.core.ParameterSource.COMMANDLINE
    request = _semantic_request(trees, semantic, explicit, arch, build, only, unit_timeout, glibc_tests, log)
    if request is not None and config is not None:
        request.config = config.resolve()
    builds = pipeline.BuildRequest(arch, config.resolve() if config else None, build.resolve() if build else None,
                                   log=log)
    layer = False  # the tree-sitter layer of this run is published
    try:
        summary = pipeline.run(trees, index_dir, jobs, progress, None, builds)
        layer = True
        click.echo(summary.line())
        if request is not None:
            log(f"the tree-sitter layer is published in {index_dir}: queries answer from it now")
            for line in pipeline.run(trees, index_dir, jobs, progress, request, builds).semantic:
                click.echo(line.line())
    except (pipeline.IndexBusy, kconfig.KconfigError, glibcbuild.GlibcError) as err:
        raise UserError(str(err)) from None
    except PermissionError as err:
        raise UserError(f"cannot write the index in {index_dir} ({err.strerror}); use --db DIR.") from None
    except (KeyboardInterrupt, pipeline.Interrupted) as err:
        if getattr(err, "published", False):
            what = "the index was published just before; this run is complete" if not layer else \
                "the semantic pass was published just before; this run is complete"
        elif layer:
            what = "the tree-sitter layer is published, the semantic pass is not (the next run resumes it)"
        else:
            what = "the previous index is unchanged"
        click.echo(f"\nxref: interrupted; {what}.", err=True)
        sys.exit(130)
    if verbose:
        for path, reason in summary.skipped:
            click.echo(f"skipped {path}: {reason}")


@main.command()
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--arch", default=DEFAULT_ARCH, show_default=True, help="Architecture (ARCH= of kbuild).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A .config to start from (kbuild's olddefconfig fills in the rest).")
@click.option("--defconfig", is_flag=True, help="Start from the architecture's defconfig (the default).")
@click.option("--build", "build", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Build directory (default: ~/.cache/xref/build/NAME-ARCH).")
def kconfig(source: Path, arch: str, config: Path | None, defconfig: bool, build: Path | None) -> None:
    """Prepare an out-of-tree build directory for a kernel configuration (for `xref index --semantic`)."""
    from indexer import kconfig as kconfig_mod
    from indexer import semantic

    root = source.resolve()
    if not semantic.is_kernel_tree(root):
        raise UserError(f"{source} is not a kernel tree (no Kconfig, arch/ and include/linux/).")
    if config is not None and defconfig:
        raise UserError("give either --config FILE or --defconfig, not both.")
    build = (build or semantic.default_build_dir(root.name, arch)).resolve()
    try:
        path = kconfig_mod.prepare(root, build, arch, config, defconfig,
                                   log=lambda text: click.echo(f"xref: {text}", err=True))
    except kconfig_mod.KconfigError as err:
        raise UserError(str(err)) from None
    click.echo(f"configured {root.name} for {arch}: {path}")


def _semantic_request(trees, semantic: bool, explicit: bool, arch: str, build: Path | None, only: tuple[str, ...],
                      timeout: float, glibc_tests: bool, log):
    """The semantic pass's request, for the trees it can run on here (prerequisites checked now,
    before any long work): None when there is none. Asked for by name (`--semantic`), a tree it
    cannot run on is named, with why."""
    from indexer import pipeline

    if not semantic:
        return None
    wanted = set()
    for tree in trees:
        kind, missing = pipeline.semantic_prerequisites(tree)
        if missing:
            log(f"the semantic pass over {tree.name} ({kind}) needs {', '.join(missing)}: "
                f"apt-get install {' '.join(missing)}; {tree.name} gets the tree-sitter layer only")
        elif kind:
            wanted.add(tree.name)
        elif explicit:
            log(f"semantic pass skipped for {tree.name}: no compile_commands.json in {tree.root} and it is not "
                "a kernel or glibc tree; give the flags with a compile_commands.json.")
    if not wanted:
        return None
    return pipeline.SemanticRequest(arch, build.resolve() if build else None, list(only) or None, log=log,
                                    timeout=timeout, glibc_tests=glibc_tests, trees=wanted)


def _progress_printer():
    """A progress bar with the time left (tqdm) on a terminal; elsewhere a line a minute."""
    import time

    from tqdm import tqdm

    bars: dict[str, tqdm] = {}
    last = [time.monotonic()]

    def show(done: int, total: int, what: str = "files") -> None:
        if not sys.stderr.isatty():
            now = time.monotonic()
            if what == "units" and (done == total or now - last[0] >= 60):
                last[0] = now
                click.echo(f"xref: {done}/{total} {what}", err=True)
            return
        bar = bars.get(what)
        if bar is None or bar.total != total:
            bar = bars[what] = tqdm(total=total, unit=f" {what}", file=sys.stderr, dynamic_ncols=True, leave=False,
                                    smoothing=0.05)
        bar.update(done - bar.n)
        if done == total:
            bar.close()
            del bars[what]

    return show


def _query_command(name: str, help_text: str):
    def decorator(f):
        @main.command(name=name, help=help_text)
        @click.argument("symbol")
        @click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
        @_db_option
        @functools.wraps(f)
        def command(symbol: str, as_json: bool, db: str | None, **kwargs):
            if not symbol.strip():
                raise UserError("give a symbol (it is empty).")
            idx = _open(db)
            hits, empty = f(idx, symbol, **kwargs)
            _print_hits(hits, as_json, len(idx.trees) > 1, empty)

        return command

    return decorator


@_query_command("def", "Where SYMBOL is defined (functions first, prototypes last).")
def def_(idx: Index, symbol: str):
    return idx.definitions(symbol), f"no definition of {symbol!r} in the index."


@_query_command("refs", "Every line that uses SYMBOL, with its enclosing function.")
def refs(idx: Index, symbol: str):
    return idx.references(symbol), f"no reference to {symbol!r} in the index."


@_query_command("callers", "Who calls SYMBOL: direct calls and calls through a struct field it is registered in.")
def callers(idx: Index, symbol: str):
    return idx.callers(symbol), f"no caller of {symbol!r} in the index."


@_query_command("callees", "What SYMBOL calls: direct calls, calls through struct fields and parameters.")
def callees(idx: Index, symbol: str):
    return idx.callees(symbol), f"no call made by {symbol!r} in the index."


@main.command()
@click.argument("symbol", required=False)
@click.option("--field", "field_", metavar="STRUCT.FIELD", help="What is registered in this struct field.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@_db_option
def regs(symbol: str | None, field_: str | None, as_json: bool, db: str | None) -> None:
    """Where function SYMBOL is registered as a function pointer (or, with --field, what is)."""
    if bool(symbol) == bool(field_):
        raise UserError("give either SYMBOL or --field STRUCT.FIELD.")
    idx = _open(db)
    if field_:
        struct, dot, fname = field_.rpartition(".")
        struct = struct.removeprefix("struct ").strip()
        hits = idx.registrations(struct=struct, field_=fname if dot else field_)
        empty = f"nothing is registered in {field_!r}."
    else:
        hits = idx.registrations(symbol)
        empty = f"{symbol!r} is not registered as a function pointer anywhere in the index."
    _print_hits(hits, as_json, len(idx.trees) > 1, empty)


@main.command()
@click.argument("text")
@click.option("--kind", help="Only this kind (function, macro, struct, member, ...).")
@click.option("--limit", type=click.IntRange(1, 10000), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@_db_option
def search(text: str, kind: str | None, limit: int, as_json: bool, db: str | None) -> None:
    """Find symbols by name: exact, prefix, substring, then fuzzy matches, best first."""
    idx = _open(db)
    hits = idx.search(text, kind, limit)
    if as_json:
        click.echo(json.dumps([h.__dict__ for h in hits], indent=1))
    else:
        for h in hits:
            click.echo(f"{h.name}  [{','.join(h.kinds)}]  {h.where}  ({h.match})")
    if hits.more:
        _say(f"more names match {text!r} than these {len(hits)}; give more of the name.")
    if not hits:
        _say(f"no symbol matches {text!r}.")
        sys.exit(1)


@main.command()
@click.argument("place", required=False, metavar="PATH:LINE[:COL]")
@click.option("--text", "text", default=None, help="Expand this text instead of the invocation at a place.")
@click.option("--file", "context", default=None, metavar="PATH",
              help="With --text: the file whose macros apply (default: any).")
@click.option("--final", is_flag=True, help="Print only the final text.")
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON objects.")
@_db_option
def expand(place: str | None, text: str | None, context: str | None, final: bool, as_json: bool,
           db: str | None) -> None:
    """Expand the macro invocation at PATH:LINE[:COL] step by step, as the preprocessor does."""
    from xref import expand as expand_mod
    from xref.macros import ExpansionError

    idx = _open(db)
    try:
        if text is not None:
            file_id = idx.file_id(context) if context else None
            if context and file_id is None:
                raise UserError(f"{context} is not in the index.")
            result = expand_mod.expand_text(idx, text, file_id, context or "")
        elif place:
            path, _, where = place.partition(":")
            numbers = where.split(":")
            if not numbers[0].isdigit() or (len(numbers) > 1 and not numbers[1].isdigit()):
                raise UserError(f"give a place as PATH:LINE[:COL], not {place!r}.")
            result = expand_mod.expand_at(idx, path, int(numbers[0]), int(numbers[1]) if len(numbers) > 1 else None)
        else:
            raise UserError("give PATH:LINE[:COL] or --text TEXT.")
    except ExpansionError as err:
        raise UserError(f"{place or 'text'}: {err}") from None
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1))
        return
    if not result.steps:
        _say(f"no macro to expand in {result.text!r}.")
        sys.exit(1)
    if not final:
        for step in result.steps:
            if step.depth:
                continue
            click.echo(f"{step.number}. {step.macro}  ({step.where})")
            click.echo(f"   {step.invocation}")
            if step.args:
                click.echo("   arguments: " + " | ".join(
                    a if a == e else f"{a} => {e}" for a, e in zip(step.args, step.expanded_args, strict=True)))
            click.echo(f"   => {step.replacement}")
        for name, others in result.candidates.items():
            click.echo(f"note: {name} has other definitions: {', '.join(others[:5])}")
        click.echo("final:")
    click.echo(expand_mod.pretty(result.final))


@main.command()
@click.argument("key", required=False, metavar="NAME|NR")
@click.option("--arch", default=DEFAULT_ARCH, show_default=True, help="The kernel's architecture.")
@click.option("--abi", default=None, help="The user-space ABI (default: the architecture's own; x86_64 also "
                                          "has x32 and i386).")
@click.option("--list", "list_all", is_flag=True, help="Every row of the ABI's table with its handler.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_db_option
def syscall(key: str | None, arch: str, abi: str | None, list_all: bool, as_json: bool, db: str | None) -> None:
    """A system call's number, entry point, dispatch and handler (where its SYSCALL_DEFINEx is).

    One line per call with --list: NR NAME ENTRY SYMBOL PATH:LINE MACRO, or the reason there is
    no handler (not implemented: sys_ni_syscall; not built: only the COND_SYSCALL stub).
    """
    from xref.model.syscalls import NoSyscall, SyscallModel, abi_for

    idx = _open(db)
    try:
        model = SyscallModel(idx, abi_for(arch, abi))
        if list_all:
            calls = model.all()
        elif key:
            calls = [model.syscall(key)]
        else:
            raise UserError("give a system call's NAME or NR, or --list.")
    except NoSyscall as err:
        _say(f"{err}.")
        sys.exit(1)
    if as_json:
        data = [c.to_json() for c in calls]
        click.echo(json.dumps(data if list_all else data[0], indent=1))
        return
    if list_all:
        for c in calls:
            click.echo(f"{c.row.number}\t{c.row.name}\t{c.row.entry or '-'}\t{c.handler.symbol}\t{_handler_text(c)}")
        return
    c = calls[0]
    click.echo(f"{c.row.name}: {c.abi} number {c.row.number} ({c.row.path}:{c.row.line}, abi {c.row.abi})")
    click.echo(f"  entry point  {c.row.entry or '-'}" + (f"  (compat: {c.row.compat})" if c.row.compat else ""))
    for e in c.entries:
        target = f"{e.symbol}  ({e.via} set at {e.where})" if e.symbol else f"not found ({e.via or 'not modelled'})"
        click.echo(f"  instruction  {e.instruction} -> {target}")
    if c.dispatch:
        d = c.dispatch
        click.echo(f"  dispatch     {d.form} in {d.via} ({d.path}:{d.line}): {d.text}")
    for note in c.notes:
        click.echo(f"  note         {note}")
    click.echo(f"  handler      {c.handler.symbol}  {_handler_text(c)}")


@main.command()
@click.argument("key", metavar="NAME|NR|MUX:SUB")
@click.option("--arch", default=DEFAULT_ARCH, show_default=True, help="The kernel's architecture.")
@click.option("--abi", default=None, help="The user-space ABI (default: the architecture's own).")
@click.option("--to", "to", default=None, metavar="SYMBOL", help="Stop at this function (default: drivers/).")
@click.option("--through", "through", multiple=True, metavar="SYMBOL",
              help="Only chains passing this function (repeatable: in the order given).")
@click.option("--depth", type=click.IntRange(1, 100), default=40, show_default=True,
              help="At most this many calls below the handler.")
@click.option("--json", "as_json", is_flag=True, help='Print {"chains": [[hop, ...], ...]}.')
@_db_option
def path(key: str, arch: str, abi: str | None, to: str | None, through: tuple[str, ...], depth: int, as_json: bool,
         db: str | None) -> None:
    """What runs for a system call: glibc's wrapper and its macros (when glibc is indexed), the
    instruction, entry, dispatch, wrappers, then calls down to TO (default: drivers/).

    MUX:SUB follows a multiplexer's sub-call (socketcall:sendto). One chain per choice at a
    function-pointer call, those that fit the chain first, then cheapest first, then other
    routes by direct calls; later chains print only from the hop where they leave the first.
    Cheapest: every call costs a step, and more when half the tree calls the callee, when it
    leaves the caller's subsystem, when a pointer call has many candidates, when it enters a
    module from built-in code, and when it is made in a branch marked unlikely or after an error
    label. INDIRECT_CALL's guesses are taken unless a chain past them costs under half as much.
    Each hop: symbol, path:line, how it was reached and the layer its facts come from (ts:
    tree-sitter, clang: the semantic pass, macro: the macro stage, model: syscall tables,
    dispatcher and glibc's rules), then the evidence (call site, registration, dispatcher row,
    generating macro).

    Without --to, the first call through a function pointer below the handler (the fewest calls
    away; of several, the one with the most candidates: the dispatch rather than a security
    hook) is fanned out: a note counts its candidates by subsystem, and they are listed
    INDIRECT_CALL's guesses first, then those registered where the configuration compiles,
    built-in code's before modules', the core's before drivers', those registered in the most
    places (read: seq_read, the read of hundreds of files), those that fit the object the chain
    carries (inetsw's entry pairs inet_dgram_ops with udp_prot), then by name; then chains down
    to drivers/, twelve at most. Code off the data path (panic, printk,
    sanitizers, tracing: xref/model/offpath.toml) is never gone through unless asked for.
    """
    from xref.model.paths import NoPath, path_hops
    from xref.model.syscalls import NoSyscall, SyscallModel, abi_for

    idx = _open(db)
    try:
        model = SyscallModel(idx, abi_for(arch, abi))
        route = path_hops(idx, model, key, to, depth, through)
    except (NoSyscall, NoPath) as err:
        _say(f"{err}.")
        sys.exit(1)
    chains = route.chains
    if as_json:
        click.echo(json.dumps({"chains": [[h.to_json() for h in chain] for chain in chains], "notes": route.notes},
                              indent=1))
        return
    for note in route.notes:
        click.echo(f"note: {note}")
    first = chains[0]
    for n, chain in enumerate(chains, 1):
        start = 0 if n == 1 else next((i for i, (a, b) in enumerate(zip(chain, first, strict=False)) if a != b),
                                      len(first))
        click.echo(f"chain {n} ({len(chain)} hops)" + (f", leaving chain 1 after {first[start - 1].symbol}:"
                                                         if n > 1 else ":"))
        for depth_, hop in enumerate(chain[start:], start):
            where = f"{hop.path}:{hop.line}" if hop.path else "-"
            built = "  (not compiled under the configuration)" if hop.compiled is False else ""
            click.echo(f"{' ' * depth_}{hop.symbol}  {where}  [{hop.via}; {hop.layer}]  {hop.evidence}{built}")


def _handler_text(c) -> str:
    h = c.handler
    if h.status == "implemented":
        built = {False: "  (not compiled under the configuration)", None: ""}.get(h.compiled, "")
        return f"{h.path}:{h.line}  {h.macro}  [{h.source}]{built}"
    if h.status == "not built":
        return f"not built: only the {h.macro} stub ({h.stub}), which returns -ENOSYS"
    if h.status == "not implemented":
        return "not implemented (sys_ni_syscall)"
    return "no definition found in the index"


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.option("--failed", is_flag=True, help="List the translation units that failed to parse.")
@_db_option
def stats(as_json: bool, failed: bool, db: str | None) -> None:
    """Counts of what the index holds (--failed: the units the semantic pass could not parse, and why)."""
    idx = _open(db)
    if failed:
        for hit in idx.failed_units():
            click.echo(f"{hit.tree}/{hit.path}: {hit.text}")
        return
    data = idx.stats()
    if as_json:
        click.echo(json.dumps(data, indent=1))
    else:
        layers = data.pop("layers")
        for key, value in data.items():
            click.echo(f"{key}: {value}")
        for tree, facts in layers.items():
            built = f"{facts['built_files']} .c files built by {facts['configuration']}" \
                if facts["configuration"] else "what it builds is not known"
            click.echo(f"{tree}: definitions {_by_layer(facts['definitions'])}; calls {_by_layer(facts['calls'])}; "
                       f"{built}; {facts['units']} units parsed by the semantic pass")


def _by_layer(counts: dict[str, int]) -> str:
    names = {"ts": "tree-sitter", "macro": "macro stage", "clang": "semantic pass"}
    return ", ".join(f"{count:,} {names.get(source, source)}" for source, count in sorted(counts.items())) or "none"


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: tags, or TAGS with --format etags, in the current directory).")
@click.option("--format", "format_", type=click.Choice(["ctags", "etags"]), default="ctags", show_default=True)
@_db_option
def tags(output: Path | None, format_: str, db: str | None) -> None:
    """Write a tags file from the index: universal-ctags' extended format (sorted; kind, line,
    signature, type) for vim's :tag, or etags' for Emacs' M-. ; macro-made definitions included.

    Paths are relative to the file's directory when under it, else absolute."""
    from xref.editors.tags import write_ctags, write_etags

    if output is not None and not output.name:
        raise UserError("-o needs a file name.")
    idx = _open(db)
    output = output or Path("TAGS" if format_ == "etags" else "tags")
    partial = output.with_name(output.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as out:
            count = (write_etags if format_ == "etags" else write_ctags)(idx, out, output.resolve().parent)
        partial.replace(output)  # a reader never sees half a file
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise UserError(f"cannot write {output}: {err.strerror or err}") from None
    click.echo(f"xref: {count} tags written to {output}", err=True)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                "help_option_names": ["--help"]})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@_db_option
def cscope(args: tuple[str, ...], db: str | None) -> None:
    """cscope's line-oriented interface over the index, for vim's :cscope (`set cscopeprg=xref\\ cscope`).

    `xref cscope -dl -f .xref/CURRENT` reads `<N><pattern>` lines and answers as cscope does;
    `xref cscope -dL -<N> PATTERN` answers once. N: 0 symbol, 1 definition, 2 callees, 3 callers,
    4 text, 6 egrep, 7 file, 8 includers, 9 assignments. -f names the index (its directory or a file
    in it); without it, --db, $XREF_DB or the .xref/ found upward. -C ignores case. -P PATH names
    each file as PATH followed by its path in its tree (cscope's prepath); without it, relative
    to the current directory where under it."""
    from xref.editors.cscope import Answerer, line_mode, parse_args

    options = parse_args(list(args))
    if not options["line"] and not (options["once"] and options["query"]):
        raise UserError("xref cscope answers cscope's line interface: `-dl` (queries on stdin) or "
                        "`-dL -N PATTERN` (one query).")
    idx = _open(_cscope_index(options["file"]) or db)
    answerer = Answerer(idx, Path.cwd(), options["ignore_case"], options["prepath"])
    if options["line"]:
        line_mode(answerer, sys.stdin, sys.stdout)
        return
    number, pattern = options["query"]
    for line in answerer.answer(number, pattern):
        click.echo(line)


def _cscope_index(given: str | None) -> str | None:
    """The index directory an editor's `-f FILE` means: FILE itself, or the directory holding it."""
    if not given:
        return None
    path = Path(given)
    for candidate in (path, path.parent):
        if (candidate / "CURRENT").is_file():
            return str(candidate)
    return str(path)


@main.command()
@_db_option
def lsp(db: str | None) -> None:
    """A language server on stdin/stdout: definition, declaration, references, symbols, call
    hierarchy (calls through function pointers included) and hover (a macro use's expansion).

    The index: --db, else the editor's initializationOptions.db, else $XREF_DB or the .xref/
    found upward from the workspace root."""
    from xref.editors.lsp import serve, server

    server.db = db
    serve()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@_db_option
def serve(host: str, port: int, threads: int, db: str | None) -> None:
    """Serve the index in a browser (and its JSON API under /api/), read-only.

    Without an index given or found, the bundled corpus is indexed first (into xref's cache) and
    served.
    """
    import waitress

    from web.app import create_app

    index_dir = _serving_index(db)
    try:
        server = waitress.create_server(create_app(index_dir), host=host, port=port, threads=threads, ident="xref")
    except OSError as err:
        raise UserError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    click.echo(f"xref: serving {index_dir} on http://{host}:{server.effective_port}/", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _serving_index(db: str | None) -> Path:
    """The index given or found; else the bundled corpus's, indexed now."""
    from xref.corpus import BUNDLED, cache_dir
    from xref.queries import find_index_dir

    try:
        return Index.open(db).dir
    except NoIndex:
        if db is not None:
            raise UserError(f"no xref index in {db}; run `xref index SRC --db {db}` first.") from None
    index_dir = cache_dir() / "corpus-index"
    from indexer import pipeline

    trees = [pipeline.Tree(name, BUNDLED / name) for name in ("linux", "glibc")]
    pipeline.run(trees, index_dir, None, None, None,
                 pipeline.BuildRequest(log=lambda text: click.echo(f"xref: {text}", err=True)))
    return find_index_dir(Path.cwd(), str(index_dir))


@main.group()
def corpus() -> None:
    """The real Linux 6.1 and glibc 2.36 trees, fetched from Debian's source packages."""


@corpus.command()
@click.argument("spec", metavar="linux|glibc[=VERSION]")
@click.option("--dest", type=click.Path(file_okay=False), default=None,
              help="Cache directory (default: $XREF_CACHE or ~/.cache/xref).")
def fetch(spec: str, dest: str | None) -> None:
    """Download and unpack a tree's Debian source package once; print its path on stdout and
    the version on stderr. The versions are pinned: Linux 6.1.192-2 (the kernel image the traced
    ground truth was recorded on) and glibc 2.36-9+deb12u14; `linux=6.1.176-1` or
    `linux=6.12.117-1~deb12u1` fetch another (see `apt-cache policy linux-source-6.1`)."""
    from xref import corpus as corpus_mod

    try:
        name, version = corpus_mod.parse_spec(spec)
        path = corpus_mod.fetch(spec, Path(dest) if dest else None)
    except corpus_mod.FetchError as err:
        raise UserError(str(err)) from None
    except OSError as err:
        raise UserError(f"could not unpack {spec} ({err.strerror or err}).") from None
    click.echo(f"xref: {corpus_mod.REAL_TREES[name].package_for(version)} {version}", err=True)
    click.echo(str(path))


if __name__ == "__main__":
    main()
