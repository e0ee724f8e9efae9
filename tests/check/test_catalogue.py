"""The committed catalogue is what tools/gen_catalogue.py makes from Kapacitor's reference."""

import importlib.util
import json
import pathlib

import pytest

from tickpy.check import build_pipeline
from tickpy.check.catalogue import CATALOGUE_PATH, load, lookup_key
from tickpy.syntax import parse
from tickpy.syntax.errors import NODE_ADDING_METHODS

ROOT = pathlib.Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "kapacitor-nodes.json"


def test_generator_reproduces_the_committed_catalogue():
    if not REFERENCE.exists():
        pytest.skip(f"reference catalogue not found at {REFERENCE}")
    spec = importlib.util.spec_from_file_location("gen_catalogue", ROOT / "tools" / "gen_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generated = module.build(json.loads(REFERENCE.read_text()))
    assert json.loads(json.dumps(generated)) == json.loads(CATALOGUE_PATH.read_text())


def test_catalogue_lookups():
    catalogue = load()
    window = catalogue.types["WindowNode"]
    assert window.desc == "window" and window.wants == "stream" and window.provides == "batch"
    assert window.props["period"].kind == "field" and window.props["period"].params == ["time.Duration"]
    assert catalogue.methods[catalogue.types["FromNode"].chain["window"]].creates_node
    slack = catalogue.types["SlackHandler"]
    assert "channel" in slack.own_props and "crit" in slack.props  # the alert's members stay reachable
    assert catalogue.types["AlertNode"].props["all"].next == "AlertNodeData"
    assert catalogue.kind_of("...time.Duration") == "duration..."
    assert catalogue.words("SlackHandler") == ".slack() handler"


def test_first_letter_rule():
    assert lookup_key("HttpOut") == "httpOut"
    assert lookup_key("httpOut") == "httpOut"
    assert lookup_key("httpout") == "httpout"  # not found: only the first letter is forgiving
    assert lookup_key("ID") == "iD"


def test_every_node_chains_exactly_the_methods_kapacitor_reflects():
    if not REFERENCE.exists():
        pytest.skip(f"reference catalogue not found at {REFERENCE}")
    reference = json.loads(REFERENCE.read_text())
    catalogue = load()
    for name, entry in reference["nodes"].items():
        expected = {cname: centry["method"] for cname, centry in entry.get("chain_methods", {}).items()}
        assert catalogue.types[name].chain == expected, name


@pytest.mark.parametrize(
    "autoscale",
    [
        "|ec2Autoscale().groupName('g')",
        "|k8sAutoscale().resourceName('r')",
        "|swarmAutoscale().serviceName('s')",
    ],
)
def test_an_autoscale_node_chains_on_to_influxdb_out(autoscale):
    # Kapacitor's autoscale nodes embed chainnode and provide a stream edge, so it defines these.
    source = f"stream\n    |from().measurement('cpu')\n    {autoscale}.replicas(lambda: 2)\n    |influxDBOut().database('db')\n"
    autoscale_node, out = build_pipeline(parse(source)).nodes[-2:]
    assert out.type == "InfluxDBOutNode" and out.parents == [autoscale_node]


def test_the_parsers_node_adding_names_are_the_catalogues():
    catalogue = load()
    adding = {name for t in catalogue.types.values() for name, key in t.chain.items() if catalogue.methods[key].creates_node}
    assert NODE_ADDING_METHODS == adding
