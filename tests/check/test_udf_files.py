"""`--udfs FILE` of the wrong shape is a usage error naming the file and the problem, never a
traceback (QA #4, #5, #6); UDF errors name the node with its `@` (QA #7)."""

from __future__ import annotations

import json

import pytest

SCRIPT = "stream|from()@myudf().opt(1)\n"


@pytest.mark.parametrize(
    "udfs, words",
    [
        ({"myudf": 5}, "UDF myudf must be an object"),
        ({"myudf": {"options": 5}}, "UDF myudf: options must be an object"),
        ({"myudf": {"options": {"opt": 5}}}, "UDF myudf option opt: give its argument types as a string or a list"),
        ({"myudf": {"options": {"opt": [5]}}}, "UDF myudf option opt: a type must be a string"),
        ({"myudf": {"options": {"opt": {"types": "x"}}}}, 'UDF myudf option opt: unknown type "x"'),
        ({"myudf": {"options": {"opt": ["int", "tuple"]}}}, 'UDF myudf option opt: unknown type "tuple"'),
        ([1, 2], "a list of UDFs must hold their names (strings)"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "graph"])
def test_malformed_udf_files_are_usage_errors(tmp_path, udfs, words, command, cli):
    script = tmp_path / "udf.tick"
    script.write_text(SCRIPT)
    declared = tmp_path / "u.json"
    declared.write_text(json.dumps(udfs))
    result = cli(command, "--udfs", str(declared), str(script))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"{declared}: {words}" in result.stderr


@pytest.mark.parametrize(
    "options",
    [{"opt": ["int"]}, {"opt": "int"}, {"opt": {"types": ["int"]}}, {"opt": ["INT"]}],
)
def test_well_formed_option_types_are_accepted(tmp_path, options, cli):
    script = tmp_path / "udf.tick"
    script.write_text(SCRIPT)
    declared = tmp_path / "u.json"
    declared.write_text(json.dumps({"myudf": {"options": options}}))
    result = cli("validate", "--udfs", str(declared), str(script))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_list_of_names_declares_udfs_without_options(tmp_path, cli):
    script = tmp_path / "udf.tick"
    script.write_text("stream|from()@myudf()\n")
    declared = tmp_path / "u.json"
    declared.write_text('["myudf"]')
    assert cli("validate", "--udfs", str(declared), str(script)).returncode == 0


def test_unknown_udf_property_names_the_udf_with_its_sigil(tmp_path, cli):
    script = tmp_path / "udf.tick"
    script.write_text(SCRIPT)
    declared = tmp_path / "u.json"
    declared.write_text('{"myudf": {}}')
    result = cli("validate", "--udfs", str(declared), str(script))
    assert result.returncode == 1
    assert "unknown property .opt() on @myudf()" in result.stdout
    assert "|myudf()" not in result.stdout


def test_run_suggests_only_options_it_has(tmp_path, cli):
    script = tmp_path / "udf.tick"
    script.write_text("stream\n    |from()\n    @myAverage()\n        .field('v')\n")
    result = cli("run", str(script), "-", stdin="")
    assert result.returncode == 2
    assert "no UDF named myAverage is declared" in result.stderr
    assert "[udf.functions.NAME] of --config" in result.stderr and "--udf-module MODULE" in result.stderr
    run_help = cli("run", "--help").stdout
    assert "--config" in run_help and "--udf-module" in run_help
