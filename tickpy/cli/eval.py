"""`tickpy eval`: evaluate one lambda expression against one point, as Kapacitor would.

    tickpy eval '"usage_idle" < 10' --field usage_idle=5.5
    tickpy eval 'strLength("host") + "n"' --tag host=srv1 --field n=2i
    tickpy eval -- "-'a' + 'b'"              # `--` before an expression starting with '-'
    tickpy eval --jsonl < cases.jsonl      # conformance-case lines in, answers out
"""

from __future__ import annotations

import json
import sys

import click

from tickpy.cli.guard import guarded_command
from tickpy.diagnostics import TickpyError, render

_TRUE = {"t", "T", "true", "True", "TRUE"}
_FALSE = {"f", "F", "false", "False", "FALSE"}


def parse_field_value(text: str) -> object:
    """A field value written as line protocol writes it: 5 or 5.5 (float), 5i (int),
    t/true/F/false... (boolean), "text" (string)."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    from tickpy.golang.goformat import GoRangeError, GoSyntaxError, parse_float, parse_int, parse_uint

    try:
        if text.endswith("i") and text[:-1].lstrip("+-").isdigit():
            return parse_int(text[:-1])
        if text.endswith("u") and text[:-1].lstrip("+").isdigit():
            return parse_uint(text[:-1].lstrip("+"))
        return parse_float(text)
    except GoRangeError:  # InfluxDB rejects such a line: value out of range, invalid float
        kind = "unsigned integer" if text[-1] == "u" else "integer" if text[-1] == "i" else "float"
        raise click.BadParameter(f"{_shown_value(text)} is out of range for a 64-bit {kind}") from None
    except GoSyntaxError:
        raise click.BadParameter(
            f"{text!r} is not a line-protocol field value: write 5.5 or 5 (float), 5i (int), "
            'true/false (boolean) or "text" (string, in double quotes)'
        ) from None


def _shown_value(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:16]!r}...{text[-8:]!r} ({len(text)} characters)"


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=option)
        pairs.append((name, value))
    return pairs


def _format_value(value: object) -> tuple[str, str]:
    from tickpy.golang.goformat import format_float_v
    from tickpy.lang.cases import encode_value

    encoded = encode_value(value)
    kind = encoded["type"]
    if kind == "float":
        assert isinstance(value, float)
        return format_float_v(value), kind
    if kind == "duration":
        return f"{encoded['text']} ({encoded['value']}ns)", kind
    if kind == "string":
        return json.dumps(value, ensure_ascii=False), kind
    if kind == "boolean":
        return ("true" if value else "false"), kind
    return str(value), kind


def _run_jsonl() -> int:
    from tickpy.lang.cases import CaseRunner

    runner = CaseRunner()
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as error:
            out.write(json.dumps({"id": None, "error": f"line {number}: invalid JSON: {error}", "stage": "input"}) + "\n")
            continue
        except ValueError:  # an integer past the 4,300 digits int() reads
            out.write(json.dumps({"id": None, "error": f"line {number}: a number has too many digits",
                                  "stage": "input"}) + "\n")
            continue
        out.write(json.dumps(runner.run(case), ensure_ascii=False) + "\n")
    out.flush()
    return 0


@click.command(name="eval")
@click.argument("expression", required=False)
@click.option("--field", "fields", multiple=True, metavar="NAME=VALUE", help="A field of the point (line-protocol value: 5, 5i, true, \"s\").")
@click.option("--tag", "tags", multiple=True, metavar="NAME=VALUE", help="A tag of the point (always a string).")
@click.option("--time", "time_text", default="1970-01-01T00:00:00Z", show_default=True, help="The point's time: RFC 3339 or nanoseconds.")
@click.option(
    "--mode",
    type=click.Choice(["eval", "predicate"]),
    default="eval",
    show_default=True,
    help="eval: as EvalNode (any value); predicate: as where/alert (boolean only).",
)
@click.option("--jsonl", is_flag=True, help="Read conformance-case JSON lines on stdin; write one answer per line.")
@guarded_command
def command(expression, fields, tags, time_text, mode, jsonl) -> None:
    """Evaluate a lambda EXPRESSION (what follows `lambda:`) and print its value and type,
    or Kapacitor's error. Put `--` before an EXPRESSION that starts with `-`.

    Exit status: 0 a value, 1 an error of the expression, 2 a usage error, 70 an
    internal error, 141 standard output closed by its reader."""
    if jsonl:
        if expression:
            raise click.UsageError("--jsonl reads the cases from stdin: give no EXPRESSION")
        sys.exit(_run_jsonl())
    if not expression:
        raise click.UsageError("missing EXPRESSION (or use --jsonl)")

    from tickpy.lang import LambdaRuntimeError, compile_lambda
    from tickpy.lang.cases import parse_time
    from tickpy.syntax.parser import parse_lambda_expression

    point_fields = {name: parse_field_value(value) for name, value in _pairs(fields, "--field")}
    point_tags = dict(_pairs(tags, "--tag"))
    try:
        time_ns = parse_time(time_text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--time") from None
    try:
        compiled = compile_lambda(parse_lambda_expression(expression), mode=mode)
    except TickpyError as error:
        for diagnostic in error.diagnostics:
            click.echo(render(diagnostic, "<lambda>", expression), err=True)
        sys.exit(1)
    try:
        value = compiled.new_evaluator().evaluate(point_fields, point_tags, time_ns)
    except LambdaRuntimeError as error:
        click.echo(f"error ({error.stage}): {error.message}", err=True)
        sys.exit(1)
    text, kind = _format_value(value)
    click.echo(f"{text} ({kind})")
