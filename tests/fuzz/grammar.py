"""Real fragments of TICKscript (from the catalogue: every chaining method, property and lambda
function) and a strategy for lambda expressions built from them, for the fuzz targets."""

from __future__ import annotations

from hypothesis import strategies as st

from tickpy.check.catalogue import load

CATALOGUE = load()
CHAIN_NAMES = sorted({name for entry in CATALOGUE.types.values() for name in entry.chain})
PROPERTY_NAMES = sorted({name for entry in CATALOGUE.types.values() for name in entry.props})
FIELDS = ['"value"', '"usage_idle"', '"host"', '"time"', '"a b"', '"x\\"y"', '""']
STRINGS = ["'cpu'", "'usage_idle'", "''", "'it\\'s'", "'a\\\\b'", "'''tri'ple'''", "'{{ .ID }}'",
           "'{{ index .Tags \"host\" }}'", "'%s'", "'\\n'", "'é'"]
NUMBERS = ["0", "1", "-1", "10", "007", "08", "0.5", ".5", "1.", "1e3", "9223372036854775807",
           "9223372036854775808", "1" + "0" * 30, "1.7976931348623157e309"]
DURATIONS = ["1s", "10s", "5m", "1h", "1d", "1w", "1u", "1µs", "1ms", "0s", "1.5s", "-1s",
             "9223372036854775807ns", "99999999999h"]
REGEXES = ["/cpu/", "/^a.*b$/", "/a\\/b/", "/(/", "/[a-z]+/", "/(?i)x/", "/\\d{2,}/", "//"]
OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "AND", "OR", "=~", "!~"]
FUNCTIONS = sorted(CATALOGUE.lambda_functions)
IDENTIFIERS = ["x", "data", "crit", "period", "TRUE", "FALSE", "stream", "batch", "lambda", "var", "dbrp"]
TYPES = ["int", "float", "string", "duration", "lambda", "bool", "regex", "list", "star"]
FRAGMENTS = [f.encode() for f in (["|", ".", "@", "(", ")", "[", "]", ",", "\n", "// c\n", "lambda: ", "var ",
                                   "*", "'", '"', "/", "\\", "{{", "}}", "\u00a0", "\ufeff", "\t"]
                                  + CHAIN_NAMES + PROPERTY_NAMES + OPERATORS + DURATIONS + STRINGS)]


def expression(depth: int = 0) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(FIELDS + STRINGS + NUMBERS + DURATIONS + REGEXES + IDENTIFIERS)
    if depth >= 3:
        return leaf
    inner = st.deferred(lambda: expression(depth + 1))
    heavy = [
        # deep nesting: around and past the parser's and the evaluator's recursion room
        st.tuples(st.sampled_from([50, 300, 1000, 3000]), st.sampled_from(["(", "!", "-", "!("])).map(
            lambda t: t[1] * t[0] + "TRUE" + (")" * t[0] if "(" in t[1] else "")),
        st.sampled_from([2, 30, 1200]).map(lambda n: " OR ".join(['"host" == \'h\''] * n)),
    ]
    normal = st.one_of(
        leaf,
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(" ".join),
        st.tuples(st.sampled_from(["-", "!", ""]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
    )
    if depth:
        return normal
    # one expression in ten is a heavy one
    return st.integers(0, 9).flatmap(lambda roll: st.one_of(*heavy) if roll == 0 else normal)
