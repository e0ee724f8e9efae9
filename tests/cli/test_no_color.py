"""NO_COLOR (https://no-color.org) turns colour off wherever tickpy would colour a terminal."""

from __future__ import annotations

import os

import pytest

from tickpy.cli.guard import color_wanted


@pytest.fixture
def terminal():
    """A real terminal (a pseudo-terminal's far end), as a writable text stream."""
    controller, device = os.openpty()
    stream = os.fdopen(device, "w")
    yield stream
    stream.close()
    os.close(controller)


def test_a_terminal_gets_colour_unless_no_color_is_set(terminal, monkeypatch, tmp_path):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert color_wanted(terminal)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not color_wanted(terminal)
    monkeypatch.setenv("NO_COLOR", "")  # the convention: only a non-empty value disables colour
    assert color_wanted(terminal)
    with open(tmp_path / "file", "w") as not_a_terminal:
        monkeypatch.delenv("NO_COLOR")
        assert not color_wanted(not_a_terminal)
