"""`tickpy graph --format text` and `mermaid` are for people: each node as the script writes it."""

SCRIPT = """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |window()
        .period(10s)
        .every(5s)
        .align()
    |groupBy('host', 'dc')
    |holtWintersWithFit('usage', 10, 0, 1s)
    |stateDuration(lambda: "usage" > 1)
        .unit(1s)
    |alert()
        .crit(lambda: "usage" > 90)
        .post('http://example.com')
            .header('k', 'v')
        .stateChangesOnly()
        .category('cpu')
    |httpOut('top')
"""


def _calls_as_written(script: str) -> list[str]:
    """Each node of a one-chain script, its lines joined: `|window().period(10s)...`."""
    calls: list[str] = []
    for line in script.splitlines():
        text = line.strip()
        if text.startswith(".") and calls:
            calls[-1] += text
        else:
            calls.append(text)
    return calls


def test_text_graph_shows_each_node_as_the_script_writes_it(tmp_path, cli):
    script = tmp_path / "cpu.tick"
    script.write_text(SCRIPT)
    result = cli("graph", "--format", "text", script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = _calls_as_written(SCRIPT)
    assert len(lines) == len(expected)
    for depth, (line, call) in enumerate(zip(lines, expected)):
        indent = "  " * depth
        assert line.startswith(indent) and line[len(indent)] != " ", line
        node_id, shown = line[len(indent):].split(" ", 1)
        assert shown == call, node_id


def test_mermaid_graph_labels_nodes_as_the_script_writes_them(tmp_path, cli):
    script = tmp_path / "cpu.tick"
    script.write_text(SCRIPT)
    result = cli("graph", "--format", "mermaid", script)
    assert result.returncode == 0, result.stderr
    assert "groupby3[\"|groupBy('host', 'dc')\"]" in result.stdout
    assert "window2[\"|window().period(10s).every(5s).align()\"]" in result.stdout
    assert "http_out7[\"|httpOut('top')\"]" in result.stdout


def test_dot_graph_keeps_kapacitors_node_names(tmp_path, cli):
    script = tmp_path / "cpu.tick"
    script.write_text(SCRIPT)
    result = cli("graph", script)
    assert "window2 -> groupby3;" in result.stdout
    assert "alert6 -> http_out7;" in result.stdout
