"""Line-protocol reader: error reporting, lazy fields, precisions, inputs, srpl recordings."""

from __future__ import annotations

import io
import random

import pytest

from tickpy.runtime import lineprotocol as lp
from tickpy.runtime.lineprotocol import (
    LineError,
    LineProtocolError,
    parse_line,
    parse_points,
    read_points,
)
from tickpy.runtime.point import Point
from tickpy.runtime.srpl import read_srpl


def _read(text, **options):
    errors: list[LineError] = []
    points = list(read_points(text, on_error=errors.append, **options))
    return points, errors


def test_malformed_lines_are_reported_with_line_numbers_and_skipped():
    text = (
        "# a comment\n"
        "cpu,host=a value=1 10\n"
        "\n"
        "cpu,host=a\n"  # line 4: no fields
        "cpu value=1i,value2=abc 20\n"  # line 5: bad boolean
        "   \n"
        "cpu value=2 30\n"
        "cpu value=3 12x\n"  # line 8: bad timestamp
    )
    points, errors = _read(text, source_name="input.lp")
    assert [p.fields["value"] for p in points] == [1.0, 2.0]
    assert [(e.source, e.line) for e in errors] == [("input.lp", 4), ("input.lp", 5), ("input.lp", 8)]
    assert "missing fields" in errors[0].reason
    assert "invalid boolean" in errors[1].reason
    assert "bad timestamp" in errors[2].reason
    assert str(errors[0]).startswith("input.lp:4: ")


def test_default_error_report_goes_to_stderr_and_reading_continues(capsys):
    points = list(read_points(io.StringIO("a x=1\nb y=\nc z=3\n"), source_name="feed", now=0))
    assert len(points) == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith("feed:2: ")
    assert "missing field value" in stderr


def test_string_field_spanning_lines_keeps_later_line_numbers_right():
    text = 'log msg="first\nsecond" 5\nlog,x=1 msg="ok" 6\nlog bad\n'
    points, errors = _read(text, now=0)
    assert points[0].fields == {"msg": "first\nsecond"}
    assert points[1].tags == {"x": "1"}
    assert [e.line for e in errors] == [4]


def test_fields_are_decoded_only_when_used():
    point = parse_line("cpu,host=a,cpu=cpu0 usage_idle=97.5,usage_user=1.25,n=3i,up=t 1000")
    assert not point.fields_decoded
    assert point.field("usage_user") == 1.25
    assert point.field("n") == 3 and isinstance(point.field("n"), int)
    assert point.field("up") is True
    assert point.field("missing", "dflt") == "dflt"
    assert not point.fields_decoded
    assert point.fields == {"usage_idle": 97.5, "usage_user": 1.25, "n": 3, "up": True}
    assert point.fields_decoded
    assert point.field("usage_idle") == 97.5


def test_field_lookup_without_decoding_takes_the_last_duplicate():
    point = parse_line("m a=1,b=2,a=3")
    assert point.field("a") == 3.0
    assert point.fields == {"a": 3.0, "b": 2.0}


def test_point_copy_is_independent():
    point = parse_line("m,t=1 a=1 5")
    twin = point.copy()
    twin.tags["t"] = "2"
    twin.fields["a"] = 9.0
    assert point.tags == {"t": "1"} and point.fields == {"a": 1.0}
    assert twin == Point("m", {"t": "2"}, {"a": 9.0}, 5)


@pytest.mark.parametrize(
    "precision, factor",
    [("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 10**9), ("m", 60 * 10**9), ("h", 3600 * 10**9)],
)
def test_precisions_scale_timestamps(precision, factor):
    (point,) = parse_points("cpu value=1 7", precision=precision)
    assert point.time == 7 * factor


def test_missing_timestamp_takes_now_truncated_to_precision():
    now = 1_600_000_123_456_789_012
    points, _ = _read("cpu value=1\ncpu,a=b value=\"s\"\n", precision="s", now=now)
    assert [p.time for p in points] == [1_600_000_123_000_000_000] * 2


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError):
        list(read_points("cpu value=1", precision="fortnight"))


def test_timestamp_range_and_integer_range():
    with pytest.raises(LineProtocolError):
        parse_points("cpu value=1 9223372036854775807")  # the maximum is kept as a sentinel
    assert parse_points("cpu value=1 9223372036854775806")[0].time == 9223372036854775806
    with pytest.raises(LineProtocolError):
        parse_points("cpu value=1 9223372036854775806", precision="s")
    assert parse_points("cpu value=9223372036854775807i")[0].fields["value"] == 2**63 - 1
    with pytest.raises(LineProtocolError):
        parse_points("cpu value=9223372036854775808i")
    with pytest.raises(LineProtocolError):
        parse_points("cpu value=1u")  # unsigned integers are disabled in this build


def test_escapes_types_and_tag_order():
    (point,) = parse_points(
        'my\\ cpu,z=last,a\\=b=x\\,y s="say \\"hi\\" \\\\o/",b=FALSE,i=-4i,f=-1.5e3 42'
    )
    assert point.name == "my cpu"
    assert point.tags == {"a=b": "x,y", "z": "last"}
    assert point.fields == {"s": 'say "hi" \\o/', "b": False, "i": -4, "f": -1500.0}
    assert point.time == 42


def test_rejections():
    for line in ["cpu", "cpu value=", "cpu,a=1,a=2 v=1", "cpu v=NaN", "cpu v=1.1.1", "cpu v=\"open", ",a=1 v=1"]:
        with pytest.raises(LineProtocolError):
            parse_points(line)


def test_inputs_as_bytes_text_file_binary_file_and_line_list(tmp_path):
    data = b"cpu,host=\xff value=1 1\ncpu value=2 2\n"
    path = tmp_path / "points.lp"
    path.write_bytes(data)
    expected_hosts = [{"host": "\ufffd"}, {}]
    with open(path, "rb") as binary:
        assert [p.tags for p in _read(binary)[0]] == expected_hosts
    with open(path, encoding="utf-8", errors="replace") as text:
        assert [p.tags for p in _read(text)[0]] == expected_hosts
    assert [p.tags for p in _read(data)[0]] == expected_hosts
    assert [p.time for p in _read(["cpu value=1 1", "cpu value=2 2\n"])[0]] == [1, 2]
    assert [p.time for p in _read(io.StringIO("cpu value=1 1\r\n"))[0]] == []  # CR is not allowed


def test_database_and_retention_policy_are_set():
    points, _ = _read("cpu value=1 1\ncpu v=\"x\" 2", database="telegraf", retention_policy="autogen")
    assert {(p.database, p.retention_policy) for p in points} == {("telegraf", "autogen")}


def _random_line(rng: random.Random) -> str:
    def word():
        return "".join(rng.choice("abcxyz019_-.") for _ in range(rng.randint(1, 6)))

    values = ["1", "-2.5", ".5", "3.", "1e5", "-1E-3", "7i", "-0i", "t", "FALSE", "True", "9" * 20, "1e99"]
    tags = "".join(f",{word()}={word()}" for _ in range(rng.randint(0, 3)))
    fields = ",".join(f"{word()}={rng.choice(values)}" for _ in range(rng.randint(1, 4)))
    stamp = rng.choice(["", " 0", " 123", " 1600000000000000000", " -5"])
    return word() + tags + " " + fields + stamp


def _mutate(rng: random.Random, line: str) -> str:
    chars = list(line)
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(chars))
        roll = rng.random()
        if roll < 0.4 and chars:
            del chars[min(at, len(chars) - 1)]
        else:
            chars.insert(at, rng.choice('abc,= \t\x00-.eEi019tTfFuN#'))
    return "".join(chars)


def _typed(point: Point):
    return (point.name, point.tags, {k: (type(v), v) for k, v in point.fields.items()}, point.time)


def test_fast_path_agrees_with_exact_parser():
    rng = random.Random(20240501)
    fast_accepted = 0
    for _ in range(4000):
        line = _random_line(rng)
        if rng.random() < 0.5:
            line = _mutate(rng, line)
        fast = lp._parse_fast(line, 1, None)
        if fast is None:
            continue
        fast_accepted += 1
        exact = lp._parse_exact(line, 1, None)  # must not raise: fast only takes valid lines
        assert _typed(fast) == _typed(exact), line
    assert fast_accepted > 1000


def test_srpl_recording_sets_database_and_retention_policy():
    recording = (
        "dbname\nrpname\ncpu,type=idle,host=serverA value=97.1 0000000001\n"
        "dbname\nrpname\ndisk,type=sda,host=serverB value=39   0000000001\n"
        "other\nautogen\nbroken,x=1\n"
        "other\nautogen\ncpu value=1 2\r\n"
        "dangling\n"
    )
    errors: list[LineError] = []
    points = list(read_srpl(recording, precision="s", source_name="rec.srpl", on_error=errors.append))
    assert [(p.database, p.retention_policy, p.name, p.time) for p in points] == [
        ("dbname", "rpname", "cpu", 10**9),
        ("dbname", "rpname", "disk", 10**9),
        ("other", "autogen", "cpu", 2 * 10**9),
    ]
    assert points[0].tags == {"type": "idle", "host": "serverA"}
    assert [(e.source, e.line) for e in errors] == [("rec.srpl", 9), ("rec.srpl", 13)]


def test_tags_come_in_key_order_on_both_paths():
    fast = parse_line("m,zone=1,alpha=2,mid=3 v=1")
    exact = parse_line("m,zone=1,alpha=2,mid\\ x=3 v=1")
    assert list(fast.tags) == ["alpha", "mid", "zone"]
    assert list(exact.tags) == ["alpha", "mid x", "zone"]


def test_points_arrive_while_a_pipe_is_still_open():
    import os

    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as source, os.fdopen(write_end, "wb", buffering=0) as sink:
        points = read_points(source, on_error=pytest.fail)
        sink.write(b"cpu value=1 1\ncpu va")
        first = next(points)  # must not wait for the writer to close
        assert first.fields == {"value": 1.0}
        sink.write(b"lue=2 2\n")
        sink.close()
        assert [p.time for p in points] == [2]


def test_benchmark_generator_is_deterministic_and_valid():
    from bench.generate import generate

    lines = list(generate(500, hosts=7, seed=3))
    assert lines == list(generate(500, hosts=7, seed=3))
    assert len(lines) == 500
    measurements = {line.split(",", 1)[0] for line in lines}
    assert measurements == {"cpu", "mem", "disk", "system"}
    points = parse_points("\n".join(lines))
    assert len(points) == 500
    cpu = next(p for p in points if p.name == "cpu")
    assert len(cpu.fields) == 10 and all(isinstance(v, float) for v in cpu.fields.values())
    assert any(isinstance(v, str) for p in points for v in p.fields.values())
    assert any(isinstance(v, int) for p in points for v in p.fields.values())


def _reference_read(text: str):
    """Entries split by iter_blocks, each through the exact scanner only."""
    points, error_lines = [], []
    for lineno, block in lp.iter_blocks(text.split("\n")):
        start = lp._skip_whitespace(block, 0)
        if start >= len(block) or block[start] == "#":
            continue
        try:
            points.append(_typed(lp._parse_exact(block, 1, None)))
        except lp._Invalid:
            error_lines.append(lineno)
    return points, error_lines


def test_reader_fast_path_agrees_with_exact_reading_of_whole_texts():
    rng = random.Random(99)
    extra = ['log,h=a msg="a, b = c",n=1i 5', 'log msg="" 6', 'log msg="multi', 'line" 7', "x a=1\\", "y b=2"]
    for _ in range(1500):
        lines = []
        for _ in range(rng.randint(1, 4)):
            line = rng.choice(extra) if rng.random() < 0.3 else _random_line(rng)
            if rng.random() < 0.5:
                line = _mutate(rng, line + rng.choice(['', '"', "\\", ' s="q"']))
            lines.append(line)
        text = "\n".join(lines)
        errors: list[LineError] = []
        got = [_typed(p) for p in lp._read(text, 1, None, errors.append, "t", "", "")]
        assert (got, [e.line for e in errors]) == _reference_read(text), text


def test_invalid_utf8_bytes_stay_distinct_while_parsing_and_show_as_replacement_characters():
    (point,) = parse_points(b"m\xff,a\xfe=1,a\xfd=2 f\xfc=\"s\xfb\" 1")  # two different tag keys
    assert point.name == "m\ufffd"
    assert point.tags == {"a\ufffd": "1"}  # both print alike; the later in byte order (\xfe) is kept
    assert point.fields == {"f\ufffd": "s\ufffd"}
    with pytest.raises(LineProtocolError) as caught:
        parse_points(b"m,a\xfe=1,a\xfe=2 v=1")  # the same byte twice: duplicate tags
    assert "\udcfe" not in caught.value.errors[0].reason
    assert "duplicate tags" in caught.value.errors[0].reason


# --- long lines and stray quotes (issue D12) -------------------------------------------------


def test_long_ordinary_lines_give_what_the_exact_scanner_gives():
    rng = random.Random(12)
    lines = [
        "m,host=a " + ",".join(f"f{i}={rng.random()}" for i in range(20000)) + " 5",
        "m " + ",".join(f"n{i}={rng.randint(-10**17, 10**17)}i" for i in range(20000)),
        "m,t=1 s=\"" + "a, b=c " * 10000 + "\",ok=t 7",
        "m," + ",".join(f"t{i}=v{i}" for i in range(3000)) + " v=1 9",
        "m,z=é " + ",".join(f"é{i}=F" for i in range(5000)) + " 3",
    ]
    for line in lines:
        assert len(line) > lp._FAST_MAX_LENGTH
        fast = lp._parse_fast(line, 1, 0)
        assert fast is not None, line[:40]
        assert _typed(fast) == _typed(lp._parse_exact(line, 1, 0))
        points, errors = _read(line, now=0)
        assert errors == [] and _typed(points[0]) == _typed(fast)


def test_long_lines_past_the_key_length_limit_are_rejected_on_every_path():
    series = "m,t=" + "a" * 65530 + " v=1 1"
    field_key = "m,t=" + "a" * 30000 + " " + "k" * 35600 + "=1 1"
    for line in (series, field_key):
        assert lp._parse_fast(line, 1, None) is None
        points, errors = _read(line, now=0)
        assert points == [] and "max key length exceeded" in errors[0].reason
    just_fits = "m,t=" + "a" * 30000 + " " + "k" * 35400 + "=1 1"
    assert _read(just_fits, now=0)[0][0].fields == {"k" * 35400: 1.0}


def test_long_lines_with_escapes_and_strings_read_as_influxdb_reads_them():
    keys = [f"f\\ {i}" for i in range(5000)]
    line = "m\\ x,t\\ a=v\\,1 " + ",".join(f"{key}={i}i" for i, key in enumerate(keys)) + ',s="q\\"uote\\\\" 2'
    points, errors = _read(line, now=0)
    assert errors == []
    point = points[0]
    assert (point.name, point.tags, point.time) == ("m x", {"t a": "v,1"}, 2)
    assert point.fields["f 4999"] == 4999 and point.fields["s"] == 'q"uote\\'
    assert len(point.fields) == 5001


def test_a_stray_quote_makes_the_rest_one_rejected_entry_and_the_error_says_where_it_opened():
    lines = [f"m,host=h{i} v={i} {i}" for i in range(1, 2001)]
    lines[499] = 'm,host=h500 v="oops 500'  # line 500: a string never closed
    points, errors = _read("\n".join(lines) + "\n", now=0)
    assert [p.time for p in points] == list(range(1, 500))
    assert len(errors) == 1 and errors[0].line == 500
    assert errors[0].reason.startswith("unable to parse 'm,host=h500 v=\"oops 500\nm,host=h501")
    assert errors[0].reason.endswith("': unbalanced quotes; the double quote opened on line 500 is never closed, "
                                     "so lines 500 to 2000 were read as one entry")


def test_the_quote_that_stays_open_is_named_in_a_multi_line_entry():
    text = 'a v=1 1\nlog msg="first\nsecond",other="stray 2\nb v=2 3\nc v=3 4\n'
    points, errors = _read(text, now=0)
    assert [p.name for p in points] == ["a"]
    assert errors[0].line == 2
    assert errors[0].reason.endswith("the double quote opened on line 3 is never closed, so lines 2 to 5 were read "
                                     "as one entry")
