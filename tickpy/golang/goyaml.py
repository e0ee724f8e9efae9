"""YAML integers as gopkg.in/yaml.v2 resolves them, for the YAML Kapacitor reads (handler files,
through ghodss/yaml; sideload files) and tickpy's own YAML files.

yaml.v2 makes a plain scalar that looks like an integer an int64, else a uint64, else a float64,
and when none of them holds it (ParseFloat's ErrRange past 1.8e308), a string. PyYAML makes
any such scalar a Python int, and fails with a ValueError past the 4,300 digits int() reads.
`SafeLoader` keeps PyYAML's ints and gives yaml.v2's string where no float64 holds the number.
"""

from __future__ import annotations

import yaml

__all__ = ["SafeLoader", "construct_yaml_int"]


def construct_yaml_int(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    """The int of an integer scalar, or its text when no float64 holds it (as yaml.v2 resolves it)."""
    try:
        value = yaml.SafeLoader.construct_yaml_int(loader, node)
        float(value)
    except (ValueError, OverflowError):  # past int()'s 4,300 digits, or past float64
        return loader.construct_scalar(node)
    return value


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with integers resolved as yaml.v2 resolves them (construct_yaml_int)."""


SafeLoader.add_constructor("tag:yaml.org,2002:int", construct_yaml_int)
