"""The command line: a group whose commands live in calcgrad/commands/, one module each.

A command is imported only when it runs (or when --help lists it), and each command imports
SymPy and Rich only inside its body, so `calcgrad --help` and every command start fast.
Commands parse options, call the API and hand the result to `emit`; errors become a short
message and an exit status in `report_errors`.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from functools import wraps
from importlib import import_module

import click

from calcgrad import limits
from calcgrad._version import __version__
from calcgrad.errors import CalcgradError, LimitError, ParseError, UsageError
from calcgrad.render.protocol import DEFAULT_DETAIL, DETAILS, FORMATS, TABLE_FORMATS

COMMANDS = {
    "check": "calcgrad.commands.check",
    "descend": "calcgrad.commands.descend",
    "diff": "calcgrad.commands.diff",
    "first-principles": "calcgrad.commands.first_principles",
    "grad": "calcgrad.commands.grad",
    "grade": "calcgrad.commands.grade",
    "hessian": "calcgrad.commands.hessian",
    "jacobian": "calcgrad.commands.jacobian",
    "network": "calcgrad.commands.network",
    "plot": "calcgrad.commands.plot",
    "practice": "calcgrad.commands.practice",
    "serve": "calcgrad.commands.serve",
}
"""Command name → the module that defines it (as a click command of the same name)."""


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return getattr(import_module(COMMANDS[name]), name.replace("-", "_"))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="calcgrad")
@click.option("--timeout", "timeout_seconds", type=click.FloatRange(min=0.1, max=86_400),
              default=None, metavar="SECONDS",
              help="Time budget for the command [default: 60]; `grade --timeout` bounds each answer.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=200), default=None, metavar="MB",
              help="Memory limit of the calcgrad process, in MB [default: 2000].")
@click.pass_context
def main(ctx: click.Context, timeout_seconds: float | None, memory_mb: int | None) -> None:
    """Derivatives, gradients and backpropagation, step by step: every rule named, explained and checked.

    \b
    Examples:
      calcgrad diff "x^2 + 3xy + y^2" --wrt x
      calcgrad diff "sin^2 x" --format latex
      calcgrad grad "x^2 + 3y^2" --at x=1,y=1
      calcgrad descend "x^2 + 3y^2" --start x=1,y=2 --lr 0.1
      calcgrad network --layers 3 --activation sigmoid --loss mse
      calcgrad check "-sin(3x)" --of "cos(3x)"
      calcgrad --timeout 5 diff "x^x^x" --order 4
    """
    ctx.ensure_object(dict)
    ctx.obj["timeout"] = timeout_seconds
    if memory_mb is not None or _LIMIT_MEMORY:
        limit_memory(memory_mb * 1_000_000 if memory_mb is not None else None)


_LIMIT_MEMORY = False
"""Set by `run` (the `calcgrad` program): a library caller's process keeps its own limits."""


def run() -> None:
    """The `calcgrad` program: the command group under the process memory limit."""
    global _LIMIT_MEMORY
    _LIMIT_MEMORY = True
    main()


def limit_memory(limit_bytes: int | None = None) -> None:
    """Cap this process's address space (default limits.MEMORY_BYTES), where the OS allows it,
    so that a blow-up ends in MemoryError (reported, exit 2) rather than the machine swapping."""
    # lazy: start-up speed (loaded only when this code runs)
    from calcgrad import limits

    try:
        # lazy: start-up speed (loaded only when this code runs)
        import resource
    except ImportError:  # not on this platform: the time budget still applies
        return
    limit = limits.MEMORY_BYTES if limit_bytes is None else limit_bytes
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError):
            pass


_EXHAUSTED = {
    MemoryError: "this input needs more memory than calcgrad may use; try a smaller input "
                 "(or a larger `calcgrad --memory`)",
    RecursionError: "this input is nested too deeply to work through; try a smaller input",
}
"""What to say when an input exhausts memory or Python's stack (exit status 2)."""


def load_sympy_quietly() -> None:
    """Import SymPy with Python's cycle collector paused, then freeze what the import made.

    Every command needs SymPy, and its import makes some hundred thousand objects that live as
    long as the process. With the collector on, Python scans them again and again while they are
    being made: about a quarter of a command's start-up. Frozen, they are never scanned again;
    everything made afterwards is collected as usual. A process that already has SymPy (a
    library caller, a test) is left as it is.
    """
    if "sympy" in sys.modules:
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        # lazy: start-up speed (this function is the point where SymPy loads for a command)
        import sympy  # noqa: F401
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def report_errors(command):
    """Run a command under its time budget and turn calcgrad's errors into a short message and
    its exit status; never a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        # lazy: start-up speed (loaded only when this code runs)
        from calcgrad.deadline import DeadlineExceeded, deadline

        load_sympy_quietly()
        try:
            with deadline(_command_seconds(), "this command"):
                return command(*args, **kwargs)
        except DeadlineExceeded as error:
            click.echo(f"calcgrad: {error}", err=True)
            sys.exit(error.exit_code)
        except (MemoryError, RecursionError) as error:
            if os.environ.get("CALCGRAD_DEBUG"):
                raise
            reason = next(text for kind, text in _EXHAUSTED.items() if isinstance(error, kind))
            click.echo(f"calcgrad: {reason}", err=True)
            sys.exit(2)
        except ParseError as error:
            _report_parse_error(error)
            sys.exit(error.exit_code)
        except CalcgradError as error:
            click.echo(f"calcgrad: {error}", err=True)
            sys.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # a library failing on the input, else a bug in calcgrad
            # lazy: start-up speed (loaded only when this code runs)
            from calcgrad.errors import as_input_error, raised_by_library

            if raised_by_library(error) and not os.environ.get("CALCGRAD_DEBUG"):
                click.echo(f"calcgrad: {as_input_error(error)}", err=True)
                sys.exit(2)
            if os.environ.get("CALCGRAD_DEBUG"):
                raise
            click.echo(f"calcgrad: internal error ({type(error).__name__}: {error}); "
                       "set CALCGRAD_DEBUG=1 to see the traceback", err=True)
            sys.exit(1)

    return wrapper


def _command_seconds() -> float:
    """The group's --timeout, else the default budget of a command (of a whole batch for grade,
    whose own --timeout bounds each answer, and for practice --per-student, a set per student)."""
    # lazy: start-up speed (loaded only when this code runs)
    from calcgrad import limits

    context = click.get_current_context(silent=True)
    if context is None:
        return limits.COMMAND_SECONDS
    settings = context.find_root().obj
    chosen = settings.get("timeout") if isinstance(settings, dict) else None
    if chosen is not None:
        return chosen
    batch = context.info_name == "grade" or (context.info_name == "practice"
                                             and context.params.get("roster_path") is not None)
    return limits.BATCH_SECONDS if batch else limits.COMMAND_SECONDS


def _report_parse_error(error: ParseError) -> None:
    where = "" if "column" in error.message else f" (column {error.column})"
    click.echo(f"calcgrad: cannot read the input: {error.message}{where}", err=True)
    if error.text:
        for line in error.caret().splitlines():
            click.echo(f"  {line}", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)


class RequestCommand(click.Command):
    """A command whose arguments are what a student or user wrote: expressions and answers.

    Such text may start with '-' ("-sinh x", "-x^2", "-theta", even "-h"), so it must never be
    read as an option. Before click parses the arguments, every one that is not an option of
    this command, nor an option's value, nor an attempt at a long option ("--foramt", which
    click then reports with "did you mean"), is moved after a "--", where click takes it as an
    argument whatever it starts with. For the same reason help is `--help` only: `-h` is an
    expression here (the group keeps `calcgrad -h`).
    """

    def __init__(self, *args, **kwargs):
        settings = dict(kwargs.pop("context_settings", None) or {})
        settings.setdefault("help_option_names", ["--help"])
        super().__init__(*args, context_settings=settings, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, arguments_last(args, self._takes_value(ctx)))

    def _takes_value(self, ctx: click.Context) -> dict[str, bool]:
        """Each option string of this command → whether the next argument is its value."""
        takes: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes[name] = not (param.is_flag or param.count)
        return takes


_LONG_OPTION = re.compile(r"--[A-Za-z][A-Za-z0-9_-]*(=.*)?", re.DOTALL)


def arguments_last(args: list[str], takes_value: dict[str, bool]) -> list[str]:
    """The options (with their values) first, then "--" and the arguments, in their order."""
    options: list[str] = []
    arguments: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            arguments += args[i + 1:]
            break
        if token in takes_value:
            options.append(token)
            if takes_value[token] and i + 1 < len(args):
                i += 1
                options.append(args[i])
        elif _LONG_OPTION.fullmatch(token):  # an option, known or mistyped: click reports it
            options.append(token)
        else:
            arguments.append(token)
        i += 1
    return options + ["--", *arguments] if arguments else options


def from_stdin(value: str | None, what: str) -> str:
    """The argument itself, or, when it is '-' or missing with text piped in, standard input.

    Standard input is read up to calcgrad.limits.MAX_INPUT_CHARS (the parser's own limit).
    """
    if value is not None and value != "-":
        return value
    stream = sys.stdin
    if value is None and stream.isatty():
        raise UsageError(f"give the {what} as an argument (or '-' to read it from standard input)")
    text = stream.read(limits.MAX_INPUT_CHARS + 1)
    if len(text) > limits.MAX_INPUT_CHARS:
        raise LimitError(f"the {what} on standard input is longer than "
                         f"{limits.MAX_INPUT_CHARS:,} characters (calcgrad.limits.MAX_INPUT_CHARS)")
    text = text.strip()
    if not text:
        raise UsageError(f"give the {what} as an argument, or pipe it on standard input "
                         "(standard input was empty)")
    return text


def renamed_option(old: str, new: str, dest: str, **option_kwargs):
    """Keep an old option spelling working: it fills `dest` (the new option's parameter), is
    marked deprecated in --help and prints a deprecation note on stderr when used."""
    hidden = "renamed_" + old.lstrip("-").replace("-", "_")

    def decorator(command):
        @wraps(command)
        def wrapper(*args, **kwargs):
            value = kwargs.pop(hidden)
            if value not in (None, (), False):
                click.echo(f"calcgrad: {old} is deprecated; use {new} (same meaning)", err=True)
                current = kwargs.get(dest)
                if isinstance(value, tuple):
                    kwargs[dest] = (*(current or ()), *value)
                elif current in (None, False):
                    kwargs[dest] = value
                else:
                    raise UsageError(f"give {new} once ({old} is its old name)")
            return command(*args, **kwargs)

        return click.option(old, hidden, help=f"Deprecated: the old name of {new}.",
                            **option_kwargs)(wrapper)

    return decorator


def wrt_option(help_text: str):
    """--wrt, the variables to differentiate by (or plot along), in every command."""
    return click.option("--wrt", multiple=True, metavar="VAR[,VAR…]",
                        help=help_text + " Repeat it or write x,y.")


def format_option(command):
    """The --format option every command shares (with --standalone)."""
    command = standalone_option(command)
    return click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
                        help="Output format [default: rich in a terminal, else plain].")(command)


def table_format_option(command):
    """--format for commands whose result can be a table: the formats and also csv."""
    command = standalone_option(command)
    return click.option("--format", "output_format", type=click.Choice(FORMATS + TABLE_FORMATS),
                        default=None, help="Output format [default: rich in a terminal, else "
                                           "plain]; csv writes the table (grade report rows, "
                                           "walkthrough parameters).")(command)


_STANDALONE = "calcgrad.standalone"


def standalone_option(command):
    """--standalone, beside every --format: with latex, a complete document that compiles.

    Kept in the click context (not a parameter of each command) so that emit() reads it.
    """
    def remember(ctx: click.Context, _param, value: bool) -> bool:
        ctx.meta[_STANDALONE] = value
        return value

    return click.option("--standalone", is_flag=True, expose_value=False, callback=remember,
                        help="With --format latex: write a complete document (preamble, "
                             "\\begin{document} … \\end{document}) that pdflatex compiles.")(command)


def variables_option(command):
    """The --var option every command that reads expressions shares: names, not variables to
    differentiate by (that is --wrt)."""
    return click.option("--var", "variables", multiple=True, metavar="NAME[,NAME…]",
                        help="Declare multi-letter variable names, such as loss or loss,lr "
                             "(repeatable); choose the variables to differentiate by with --wrt."
                        )(command)


def detail_option(command):
    """--detail, how much of each step tree the text formats show (protocol.DETAILS)."""
    return click.option("--detail", type=click.Choice(DETAILS), default=DEFAULT_DETAIL,
                        show_default=True,
                        help="Steps shown: full (every step), normal (variable rules and constant "
                             "numbers named on their parent's line), brief (one line per step, "
                             "steps linear in the variable left out). JSON always has every step."
                        )(command)


def verify_option(command):
    """--verify/--no-verify: check every step against SymPy's own derivative as it is made."""
    return click.option("--verify/--no-verify", "verify", default=True,
                        help="Check every step against SymPy's own derivative (✓ in the output) "
                             "[default: --verify]; --no-verify skips the checks.")(command)


def emit(result, output_format: str | None, detail: str | None = None) -> None:
    """Write a result in the chosen format (rich in a terminal, plain otherwise).

    Every result type calcgrad returns renders through one protocol
    (calcgrad.render.protocol.Rendered): Rich for the terminal, `render(format)` for text;
    `detail` is full, normal or brief (JSON always has every step).
    """
    context = click.get_current_context(silent=True)
    standalone = bool(context and context.meta.get(_STANDALONE))
    if output_format is None:
        output_format = "plain" if standalone or not sys.stdout.isatty() else "rich"
    if standalone and output_format != "latex":
        raise UsageError(f"--standalone writes a LaTeX document; use it with --format latex "
                         f"(not {output_format})")
    if output_format == "rich":
        from rich.console import Console  # lazy: start-up speed (plain, JSON … never load Rich)

        Console().print(result.rich(detail))
    else:
        text = result.render(output_format, standalone=standalone, detail=detail)
        click.echo(text, nl=not text.endswith("\n"))
