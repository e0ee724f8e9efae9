"""The wheel must carry every package and the grammar."""

import pathlib
import tomllib
from importlib import resources

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "tickpy").rglob("__init__.py")
    }
    assert on_disk - listed == set(), "add these packages to [tool.setuptools] packages"


def test_grammar_ships_inside_the_package():
    grammar = resources.files("tickpy.grammar").joinpath("tickscript.lark")
    assert grammar.is_file()
    assert grammar.read_text().strip()
