"""Chains of tens of thousands of links check like short ones (QA #3: validate and graph
failed with RecursionError somewhere between 800 and 1000 links)."""

from __future__ import annotations

from tickpy.check import build_pipeline
from tickpy.syntax.parser import parse

LINKS = 20_000


def test_twenty_thousand_chained_nodes_build_a_pipeline_in_order():
    pipeline = build_pipeline(parse("stream" + "|from()" * LINKS))
    assert len(pipeline.nodes) == LINKS + 1
    assert [node.label for node in pipeline.nodes[:3]] == ["stream0", "from1", "from2"]
    assert pipeline.nodes[-1].label == f"from{LINKS}"
    for parent, child in zip(pipeline.nodes, pipeline.nodes[1:]):
        assert [node.id for node in parent.children] == [child.id]


def test_twenty_thousand_chained_properties_keep_their_order():
    script = "stream|from().measurement('cpu')|alert()" + "".join(f'.crit(lambda: "x" > {index})' for index in range(LINKS))
    alert = build_pipeline(parse(script)).nodes[-1]
    crits = [call for call in alert.properties if call.name == "crit"]
    assert len(crits) == LINKS
    assert crits[-1].args[0].expression.right.int_value == LINKS - 1


def test_an_error_deep_in_a_long_chain_points_at_its_line(tmp_path, cli):
    script = tmp_path / "long.tick"
    script.write_text("stream\n" + "|from()\n" * LINKS + "|nosuchnode()\n")
    result = cli("validate", script)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f":{LINKS + 2}:" in result.stdout + result.stderr


def test_validate_and_graph_commands_on_a_long_chain(tmp_path, cli):
    script = tmp_path / "long.tick"
    script.write_text("stream" + "|from()" * LINKS + "\n")
    validated = cli("validate", script)
    assert validated.returncode == 0, validated.stderr[-2000:]
    graphed = cli("graph", script)
    assert graphed.returncode == 0, graphed.stderr[-2000:]
    assert f"from{LINKS - 1} -> from{LINKS};" in graphed.stdout


def test_run_sends_points_down_a_long_chain(tmp_path, cli):
    links = 5_000
    script = tmp_path / "evals.tick"
    script.write_text("stream|from().measurement('cpu')" + "|eval(lambda: \"x\" + 1.0).as('x')" * links + "|log()\n")
    result = cli("run", script, "-", stdin="cpu x=1 0\n")
    assert result.returncode == 0, result.stderr[-2000:]
    logged = [line for line in result.stderr.splitlines() + result.stdout.splitlines() if "msg=point" in line]
    assert len(logged) == 1 and f" field_x={1 + links} " in logged[0]
    script.write_text("stream" + "|from()" * LINKS + "\n")
    result = cli("run", script, "-", stdin="cpu x=1 0\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "internal error" not in result.stderr


def test_deep_constant_expressions_in_vars():
    terms, parentheses, negations = 10_000, 5_000, 3_001
    script = (
        f"var x = {' + '.join(['2'] * terms)}\n"
        f"var y = {'(' * parentheses}7{')' * parentheses}\n"
        f"var z = {'-' * negations}1\n"
        "stream|from()|eval(lambda: x + y + z).as('v')|log()\n"
    )
    variables = build_pipeline(parse(script)).variables
    assert variables["x"] == 2 * terms
    assert variables["y"] == 7
    assert variables["z"] == (-1) ** negations
