"""sideload from a directory of YAML/JSON files."""

from tickpy.api import run_task
from tickpy.runtime.lineprotocol import read_points
from tickpy.runtime.nodes.sideload import ConversionError, convert_type


def test_fields_and_tags_come_from_the_first_file_in_order_that_has_them(tmp_path):
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "a.yml").write_text("threshold: 80\nteam: web\n")
    (tmp_path / "default.json").write_text('{"threshold": 95, "team": "ops", "paging": "true"}')
    script = (
        "stream|from().measurement('cpu').groupBy('host')"
        f"|sideload().source('file://{tmp_path}').order('host/{{{{.host}}}}.yml', 'default.json')"
        ".field('threshold', 0.0).field('paging', FALSE).field('missing', 7).tag('team', 'none')"
        "|httpOut('out')\n"
    )
    result = run_task(script, read_points("cpu,host=a v=1 0\ncpu,host=b v=2 0\n"), path="s.tick")
    series = {s["tags"]["host"]: s for s in result.httpout["out"]["series"]}
    row_a = dict(zip(series["a"]["columns"], series["a"]["values"][0]))
    row_b = dict(zip(series["b"]["columns"], series["b"]["values"][0]))
    assert (row_a["threshold"], row_a["paging"], row_a["missing"], series["a"]["tags"]["team"]) == (80.0, True, 7, "web")
    assert (row_b["threshold"], series["b"]["tags"]["team"]) == (95.0, "ops")
    assert result.node_errors == []


def test_kapacitors_conversions():
    assert convert_type(2.0, 0) == 2 and convert_type("3", 0) == 3 and convert_type(1.5, "") == "1.5"
    assert convert_type(True, "") == "true" and convert_type("t", False) is True
    try:
        convert_type(2.5, 0)
    except ConversionError as error:
        assert str(error) == "cannot convert value of type float64 to type int64"
    else:
        raise AssertionError("2.5 is not an int64")


def test_http_sources_are_named_as_unsupported():
    import pytest

    from tickpy.diagnostics import TickpyError

    with pytest.raises(TickpyError) as caught:
        run_task("stream|from()|sideload().source('http://example.com').order('x').field('f', 1)\n", [],
                 path="s.tick")
    assert "not supported by tickpy run yet" in str(caught.value.diagnostics[0].message)
