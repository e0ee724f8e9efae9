"""editors/vscode: the extension's manifest starts `tickpy lsp`, and its TextMate grammar marks
the parts of a script (its patterns read with Python's re, close enough to Oniguruma's for
these)."""

from __future__ import annotations

import json
import pathlib
import re

from tickpy.cli import COMMANDS

VSCODE = pathlib.Path(__file__).resolve().parents[2] / "editors" / "vscode"


def test_the_extension_starts_tickpy_lsp_for_tick_files():
    manifest = json.loads((VSCODE / "package.json").read_text())
    (language,) = manifest["contributes"]["languages"]
    assert language["extensions"] == [".tick"]
    command = manifest["contributes"]["configuration"]["properties"]["tickpy.command"]["default"]
    assert command[0] == "tickpy" and command[1] in COMMANDS
    assert (VSCODE / manifest["main"]).is_file()
    (grammar,) = manifest["contributes"]["grammars"]
    assert (VSCODE / grammar["path"]).is_file()


def scopes(grammar: dict, line: str) -> dict[str, str]:
    """text -> scope of each piece the grammar's top-level patterns match, first match wins."""
    rules = []
    for include in grammar["patterns"]:
        entry = grammar["repository"][include["include"][1:]]
        rules += [entry] if "match" in entry or "begin" in entry else entry["patterns"]
    found: dict[str, str] = {}
    position = 0
    while position < len(line):
        for rule in rules:
            if "match" in rule:
                match = re.compile(rule["match"]).match(line, position)
                if match:
                    if "captures" in rule:
                        for group, capture in rule["captures"].items():
                            found[match.group(int(group))] = capture["name"]
                    else:
                        found[match.group(0)] = rule["name"]
                    position = match.end()
                    break
            else:
                match = re.compile(re.escape(rule["begin"])).match(line, position)
                if match:
                    end = line.index(rule["end"], match.end()) + len(rule["end"])
                    found[line[position:end]] = rule["name"]
                    position = end
                    break
        else:
            position += 1
    return found


def test_the_grammar_marks_nodes_properties_lambdas_and_literals():
    grammar = json.loads((VSCODE / "syntaxes" / "tickscript.tmLanguage.json").read_text())
    found = scopes(grammar, """var x = stream|window().period(5m)|where(lambda: "host" =~ /web/ AND 'a' != 1) // c""")
    assert found["var"] == "keyword.other.tickscript"
    assert found["stream"] == "variable.language.tickscript"
    assert found["window"] == "entity.name.function.node.tickscript"
    assert found["period"] == "variable.other.property.tickscript"
    assert found["5m"] == "constant.numeric.duration.tickscript"
    assert found["lambda:"] == "keyword.other.lambda.tickscript"
    assert found['"host"'] == "variable.other.field.tickscript"
    assert found["/web/"] == "string.regexp.tickscript"
    assert found["'a'"] == "string.quoted.single.tickscript"
    assert found["AND"] == "keyword.operator.logical.tickscript"
    assert found["// c"] == "comment.line.double-slash.tickscript"
