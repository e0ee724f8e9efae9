"""`tickpy test PATH ...`: run TICKscript unit tests (tickpy and kapacitor-unit test files)."""

from __future__ import annotations

import os
import sys
import time

import click

from tickpy.cli.guard import stdout_closed
from tickpy.testing import compare, report, spec
from tickpy.testing.coverage import coverage_json, coverage_of, render_coverage_text
from tickpy.testing.runner import PASSED, UPDATED, find_test_files, observed_expectations, run_case
from tickpy.testing.spec import TestFileError, load_test_file
from tickpy.testing.update import update_file

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

HELP = """Run the test files in PATH (folders are searched for *.tickpy.yaml and *.tickpy.yml;
files named here are run whatever their name, kapacitor-unit files included) and compare every
alert, handler delivery, httpOut result and influxDBOut line with the expectations. No Kapacitor,
no InfluxDB: handlers deliver to private listeners on 127.0.0.1. `tickpy test --help-format`
prints the test file format (docs/testing.md in tickpy's source tree has a longer guide).

\b
Exit status:
  0  every case passed
  1  some case failed, or could not run (script error, bad input points), or the coverage
     is below --coverage-min
  2  usage error: bad option, no such path, no test file found, a test file that is not
     valid (YAML, unknown keys, malformed expectations such as `counts: {CRITICAL: x}` or
     `counts: {crit: 1, critical: 2}`, typos inside an expected event: an unknown field,
     `level: BAD`, `time: 10x`), reported as FILE:LINE: problem
  141  standard output was closed by its reader (`tickpy test ... | head -1`)
With --update, a failing case whose expect: was rewritten is reported as UPDATED and counts
as passed (status 0; run again to check); a case that could not run, or a kapacitor-unit case (never rewritten),
still fails (status 1).
"""

POINTS_HELP = """Input points (`points:` text or list of lines, or `points_file:`):

    Line protocol. The timestamp may be Unix time in `precision` units, an RFC 3339 time
    (2024-01-01T00:00:30Z) or a duration from `start` (0s, 10s, +10s, 1m30s, -5s). A line
    without a timestamp gets `start`, the next such line 1 ms more, and so on. Comments (#)
    and blank lines are skipped; a malformed line makes the case an error naming the line.
"""


def _print_format(ctx, _param, value) -> None:
    """--help-format: the test file format, from the modules that read and check it (so it is
    there in an installed tickpy, and cannot drift from the code)."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(spec.__doc__.strip() + "\n\n" + POINTS_HELP + "\nExpectations (`expect:`):\n\n"
               + compare.__doc__.strip() + "\n")
    ctx.exit(0)


@click.command("test", help=HELP)
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--help-format", is_flag=True, expose_value=False, is_eager=True, callback=_print_format,
              help="Show the test file format (settings, cases, points, expectations) and exit.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "junit"]), default="text",
              show_default=True, help="How to report the results (on stdout).")
@click.option("--update", is_flag=True, help="Write what each run produced into its test file as the new "
              "expectations (golden tests); only the expect: blocks change.")
@click.option("-k", "keyword", metavar="TEXT", help="Run only the cases whose name contains TEXT.")
@click.option("--dir", "scripts_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where kapacitor-unit files' task_name scripts are (default: next to the test file).")
@click.option("--tests", "extra_paths", multiple=True, metavar="FILE",
              help="A test file (kapacitor-unit's flag; the same as giving it as PATH).")
@click.option("-q", "--quiet", is_flag=True, help="text format: show only failures and the summary.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the report to FILE instead of stdout.")
@click.option("--coverage", is_flag=True,
              help="Report what the cases exercised of each script: nodes that received data, where lambdas "
                   "true and false, alert levels, recoveries and resets reached, topics and handlers that fired "
                   "(a table in the text report, `coverage` in the JSON one).")
@click.option("--coverage-min", "coverage_min", type=click.FloatRange(0, 100), metavar="PCT",
              help="Fail (status 1) when the coverage of all scripts together is below PCT (implies --coverage).")
@click.option("--watch", is_flag=True,
              help="Run the tests, then again each time a test file, script, handler, points, vars or config file "
                   "they read changes (only the test files that read it), until Ctrl-C (status 0).")
def command(paths, output_format, update, keyword, scripts_dir, extra_paths, quiet, output, coverage, coverage_min,
            watch):
    try:
        status = test_command(tuple(paths) + tuple(extra_paths), output_format=output_format, update=update,
                              keyword=keyword, scripts_dir=scripts_dir, quiet=quiet, output=output,
                              coverage=coverage, coverage_min=coverage_min, watch=watch)
        sys.stdout.flush()
    except BrokenPipeError:  # `tickpy test ... | head`: not a failed case
        status = stdout_closed()
    sys.exit(status)


def test_command(paths, *, output_format="text", update=False, keyword=None, scripts_dir=None, quiet=False,
                 output=None, coverage=False, coverage_min=None, watch=False) -> int:
    if not paths:
        click.echo("tickpy test: give at least one PATH (a test file or a folder of *.tickpy.yaml files)", err=True)
        return EXIT_USAGE
    try:
        files = find_test_files(paths)
    except FileNotFoundError as error:
        reason = "not a test file or a folder" if os.path.exists(str(error)) else "no such file or directory"
        click.echo(f"tickpy test: {reason}: {error}", err=True)
        return EXIT_USAGE
    if not files and not watch:
        click.echo(f"tickpy test: no test files (*.tickpy.yaml) under {', '.join(paths)}", err=True)
        return EXIT_USAGE
    if watch:
        return _watch(files, paths, output_format=output_format, update=update, keyword=keyword,
                      scripts_dir=scripts_dir, quiet=quiet, output=output, coverage=coverage,
                      coverage_min=coverage_min)
    return _run_and_report(files, output_format=output_format, update=update, keyword=keyword,
                           scripts_dir=scripts_dir, quiet=quiet, output=output, coverage=coverage,
                           coverage_min=coverage_min)


def _run_and_report(files, *, output_format, update, keyword, scripts_dir, quiet, output, coverage,
                    coverage_min) -> int:
    started = time.perf_counter()
    results = []
    file_errors: list[str] = []
    updated: list[str] = []
    for path in files:
        try:
            cases = load_test_file(path, scripts_dir)
        except TestFileError as error:
            file_errors.append(str(error))
            continue
        if keyword:
            cases = [case for case in cases if keyword in case.name]
        file_results = [run_case(case) for case in cases]
        results.extend(file_results)
        if update:
            new = {r.case.index: observed_expectations(r.case, r.run) for r in file_results
                   if r.run is not None and r.case.format == "tickpy" and r.status != PASSED}
            if new:
                try:
                    if update_file(path, new):
                        updated.append(f"{path} ({len(new)} case{'s' if len(new) != 1 else ''})")
                        for r in file_results:
                            if r.case.index in new:
                                r.status = UPDATED
                except TestFileError as error:
                    file_errors.append(str(error))
            if any(r.case.format != "tickpy" and r.status != PASSED for r in file_results):
                click.echo(f"tickpy test: {report.visible(path)}: kapacitor-unit files are not updated", err=True)
    seconds = time.perf_counter() - started
    coverages = coverage_of(results) if coverage or coverage_min is not None else None
    if output_format == "json":
        text = report.render_json(results, file_errors, seconds,
                                  coverage=coverage_json(coverages) if coverages is not None else None)
    elif output_format == "junit":
        text = report.render_junit(results, file_errors, seconds)
    else:
        text = report.render_text(results, file_errors, seconds, quiet=quiet)
        if coverages is not None:
            text += render_coverage_text(coverages)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            click.echo(f"tickpy test: cannot write {output}: {error.strerror or error}", err=True)
            return EXIT_USAGE
    else:
        click.echo(text, nl=False)
    for line in updated:
        click.echo(f"tickpy test: updated {report.visible(line)}; run again to check", err=True)
    if file_errors:
        return EXIT_USAGE
    status = EXIT_OK if all(r.status in (PASSED, UPDATED) for r in results) else EXIT_FAILED
    if coverages is not None and coverage_min is not None:
        percent = coverage_json(coverages)["percent"]
        if percent < coverage_min:
            click.echo(f"tickpy test: coverage {percent:.1f}% is below --coverage-min {coverage_min:g}%", err=True)
            status = EXIT_FAILED
    return status


def _watch(files, paths, **options) -> int:
    """Run everything, then the test files a change affects, until Ctrl-C (status 0)."""
    # deferred: start-up (only --watch polls files)
    from tickpy.testing.watch import Watcher

    watcher = Watcher(paths, options["scripts_dir"])
    if files:
        _run_and_report(files, **options)
    click.echo("tickpy test: watching " + counted_files(len(watcher.readers)) + " (Ctrl-C to stop)", err=True)
    try:
        while True:
            changed, rerun = watcher.wait()
            shown = ", ".join(report.visible(os.path.relpath(path)) for path in changed[:3])
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            if not rerun:
                click.echo(f"tickpy test: {shown}{more} changed; no test file reads it", err=True)
                continue
            click.echo(f"tickpy test: {shown}{more} changed: running {counted_files(len(rerun), 'test file')}",
                       err=True)
            _run_and_report(rerun, **options)
    except KeyboardInterrupt:
        click.echo("tickpy test: stopped watching", err=True)
        return EXIT_OK


def counted_files(number: int, what: str = "file") -> str:
    return f"{number} {what}{'s' if number != 1 else ''}"


__all__ = ["command", "test_command", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE"]
