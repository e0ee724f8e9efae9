"""File-name conventions shared by several layers (kept here so that none imports another
only for a name)."""

from __future__ import annotations

import os

# `tickpy test` files; a handler directory leaves them out, pytest collects them.
TEST_FILE_SUFFIXES = (".tickpy.yaml", ".tickpy.yml")


def is_test_file(path: str | os.PathLike) -> bool:
    return str(path).endswith(TEST_FILE_SUFFIXES)
