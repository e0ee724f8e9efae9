"""`tickpy validate --config`: the agents a script calls are asked for their options, and the
script's .option() calls are checked against them, as `kapacitor define` does."""

from __future__ import annotations

from tests.udf.conftest import minimal_agent_section

SCRIPT = """stream
    |from()
        .measurement('cpu')
    @customFunc()
        .opt1('count')
        .opt2(FALSE, 1, 1.0, '1.0', 1s)
"""


def _validate(tmp_path, cli, script: str):
    conf = tmp_path / "k.conf"
    conf.write_text(minimal_agent_section("customFunc", "custom", str(tmp_path / "init.json")))
    path = tmp_path / "t.tick"
    path.write_text(script)
    return cli("validate", "--config", conf, path)


def test_options_the_agent_declares_are_valid(tmp_path, cli):
    result = _validate(tmp_path, cli, SCRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "init.json").exists()  # define asks for the info only, never inits


def test_wrong_option_type_and_unknown_option(tmp_path, cli):
    result = _validate(tmp_path, cli, SCRIPT.replace(".opt1('count')", ".opt1(1)"))
    assert result.returncode == 1
    assert ".opt1() of UDF customFunc takes string, got an int" in result.stdout
    result = _validate(tmp_path, cli, SCRIPT.replace(".opt1('count')", ".opt3('count')"))
    assert result.returncode == 1
    assert "opt3" in result.stdout


def test_without_the_config_the_udf_is_unknown(tmp_path, cli):
    path = tmp_path / "t.tick"
    path.write_text(SCRIPT)
    result = cli("validate", path)
    assert result.returncode == 1
    assert "no UDF named customFunc is declared" in result.stdout
