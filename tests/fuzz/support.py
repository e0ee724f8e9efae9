"""What the fuzz targets share: their budget, a bound on each input's time, the corpus, and
mutations of corpus text.

The default budget keeps the whole fuzz suite to a few seconds, derandomized and without
hypothesis's example database, so CI runs the same inputs every time. A long run:

    TICKPY_FUZZ_EXAMPLES=200000 .venv/bin/python -m pytest -q tests/fuzz --hypothesis-show-statistics

(then the inputs are random, and each target tries that many).
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

ROOT = pathlib.Path(__file__).resolve().parents[2]
LONG_RUN_EXAMPLES = int(os.environ.get("TICKPY_FUZZ_EXAMPLES", "0") or 0)
# One input may take this long before it counts as a hang (the slowest legitimate inputs, deep
# nesting at the recursion bounds, take well under a second).
HANG_SECONDS = 20


def fuzz_settings(default_examples: int):
    """Hypothesis settings of one target: `default_examples` derandomized inputs, or
    TICKPY_FUZZ_EXAMPLES random ones."""
    return settings(
        max_examples=LONG_RUN_EXAMPLES or default_examples,
        derandomize=not LONG_RUN_EXAMPLES,
        database=None,
        deadline=None,
        print_blob=True,
        # the explain phase reruns a failure hundreds of times under a tracer: minutes on deep inputs
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.large_base_example],
    )


class Hang(BaseException):  # not an Exception: no handler of the code under test may take it
    """An input took longer than HANG_SECONDS."""


@contextlib.contextmanager
def bounded_time(seconds: float = HANG_SECONDS):
    """Raise Hang out of the block when it runs longer than `seconds` (main thread only)."""

    def expired(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def conformance_dir() -> pathlib.Path | None:
    override = os.environ.get("TICKPY_CONFORMANCE")
    folder = pathlib.Path(override) if override else ROOT.parent / "shared" / "conformance"
    return folder if folder.is_dir() else None


def corpus_files(pattern: str) -> list[pathlib.Path]:
    """The conformance files matching `pattern` (sorted), and none without the data."""
    base = conformance_dir()
    return sorted(base.glob(pattern)) if base is not None else []


def mutated(seeds: list[bytes], fragments: list[bytes]) -> st.SearchStrategy[bytes]:
    """Corpus texts with a few byte-level mutations each: a range deleted, duplicated or moved,
    a fragment of the input kind or random bytes inserted, bytes flipped, a cut."""

    @st.composite
    def build(draw) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(1, 6))):
            size = len(data)
            at = draw(st.integers(0, size))
            end = draw(st.integers(at, min(size, at + 64)))
            how = draw(st.integers(0, 7))
            if how == 0:
                del data[at:end]
            elif how == 1:
                data[at:at] = data[at:end] * draw(st.integers(1, 50))
            elif how == 2:
                data[at:at] = draw(st.sampled_from(fragments)) * draw(st.sampled_from([1, 1, 1, 2, 3, 200]))
            elif how == 3:
                data[at:at] = draw(st.binary(min_size=1, max_size=8))
            elif how == 4 and at < size:
                data[at] = draw(st.integers(0, 255))
            elif how == 5:
                chunk = data[at:end]
                del data[at:end]
                to = draw(st.integers(0, len(data)))
                data[to:to] = chunk
            elif how == 6:
                del data[at:]
            else:
                data[at:end] = draw(st.sampled_from(fragments))
        return bytes(data)

    return build()


def as_text(data: bytes) -> str:
    """Bytes as tickpy's commands read a script (cli.script_text.read_script)."""
    return data.decode("utf-8", "surrogateescape")
