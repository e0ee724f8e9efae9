"""Each Go function tickpy reproduces has one implementation, in tickpy/golang.

Checked by name, with `ast`: for every Go function below, exactly one `def` of its tickpy name
exists in tickpy/ (module level or nested in a function; methods are a class's own business), and
it is in the golang module the table names. The names the copies had before they were unified
must not come back anywhere. A copy under a new name is not caught here: the table in
tickpy/golang/__init__.py is where a reader looks first, and this test keeps it in step.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tickpy"

# Go function -> (module in tickpy/golang, tickpy's name for it)
GO_FUNCTIONS = {
    "strconv.ParseInt": ("goformat", "parse_int"),
    "strconv.ParseUint": ("goformat", "parse_uint"),
    "strconv.Atoi": ("goformat", "atoi"),
    "strconv.ParseFloat": ("goformat", "parse_float"),
    "strconv.ParseBool": ("goformat", "parse_bool"),
    "strconv.FormatFloat": ("goformat", "format_float"),
    "strconv.FormatFloat(f, 'f', -1, 64)": ("goformat", "format_float_f"),
    "strconv.FormatFloat(f, 'e', -1, 64)": ("goformat", "format_float_e"),
    "strconv.FormatFloat(f, 'g', -1, 64), fmt's %v of a float64": ("goformat", "format_float_v"),
    "strconv's shortest decimal digits of a float64": ("goformat", "shortest_digits"),
    "strconv's NaN, +Inf, -Inf": ("goformat", "not_finite_text"),
    "strconv.Quote": ("goformat", "go_quote"),
    "strconv.QuoteToASCII": ("goformat", "quote_to_ascii"),
    "strconv.QuoteRune": ("goformat", "quote_rune"),
    "strconv.CanBackquote": ("goformat", "can_backquote"),
    "strconv.Unquote": ("goformat", "go_unquote"),
    "strconv.UnquoteChar": ("goformat", "unquote_char"),
    "unicode.IsPrint": ("goformat", "is_go_printable"),
    "unicode.IsLetter": ("goformat", "is_go_letter"),
    "unicode.IsDigit": ("goformat", "is_go_digit"),
    "fmt's %v": ("goformat", "format_value_v"),
    "time.Duration.String": ("gotime", "format_go_duration"),
    "time.Duration.Round": ("gotime", "duration_round"),
    "time.Duration.Truncate": ("gotime", "duration_truncate"),
    "time.ParseDuration": ("gotime", "parse_go_duration"),
    "influxql.ParseDuration": ("gotime", "parse_influx_duration"),
    "influxql.FormatDuration": ("gotime", "format_influx_duration"),
    "time.Time.Date and Clock (civil date of a time)": ("gotime", "civil_from_ns"),
    "time.Date's day count (days of a civil date)": ("gotime", "days_from_civil"),
    "time.Time.Weekday": ("gotime", "weekday"),
    "time.Time.YearDay": ("gotime", "year_day"),
    "time.Time.AddDate": ("gotime", "add_date"),
    "time.Time.Truncate": ("gotime", "time_truncate"),
    "time.Time.Round": ("gotime", "time_round"),
    "time.Time.Sub": ("gotime", "time_sub"),
    "time.Time.Format": ("gotime", "format_time"),
    "time.Time.Format(time.RFC3339Nano)": ("gotime", "format_time_rfc3339nano"),
    "time.Time.String": ("gotime", "format_time_go_string"),
    "time.Time.GoString": ("gotime", "format_time_go_syntax"),
    "int64 wrap-around": ("gotypes", "wrap_int64"),
    "conversion to intN/uintN": ("gotypes", "wrap_int"),
    "int64 /": ("gotypes", "int64_div"),
    "int64 %": ("gotypes", "int64_rem"),
    "int64(float64) on amd64": ("gotypes", "float_to_int64"),
    "uint64(float64) on amd64": ("gotypes", "float_to_uint64"),
    "fmt's %T": ("gotypes", "go_type_name"),
    "os.FileMode.String": ("gotypes", "file_mode_string"),
    "float64 /": ("gomath", "go_divide"),
    "strings.Index": ("gostrings", "index"),
    "strings.LastIndex": ("gostrings", "last_index"),
    "strings.IndexAny": ("gostrings", "index_any"),
    "strings.LastIndexAny": ("gostrings", "last_index_any"),
    "strings.ContainsAny": ("gostrings", "contains_any"),
    "strings.Count": ("gostrings", "count"),
    "strings.Replace": ("gostrings", "replace"),
    "strings.TrimSpace": ("gostrings", "trim_space"),
    "strings.ToUpper": ("gostrings", "to_upper"),
    "strings.ToLower": ("gostrings", "to_lower"),
    "regexp.Compile's errors": ("goregexp", "compile_error"),
    "regexp.Regexp.Expand": ("goregexp", "expand"),
    "regexp.Regexp.ReplaceAllString": ("goregexp", "replace_all_string"),
    "url.Values.Encode": ("gohttp", "values_encode"),
    "path.Clean": ("gohttp", "clean_path"),
    "url.Parse, path.Join, URL.String": ("gohttp", "join_url"),
    "textproto.CanonicalMIMEHeaderKey": ("gohttp", "canonical_header_key"),
    "mime.QEncoding.Encode": ("gomail", "q_encode"),
    "mime/quotedprintable.Writer": ("gomail", "quoted_printable"),
    "net/mail.ParseAddress": ("gomail", "parse_address"),
    "encoding/json's float64": ("gojson", "format_json_float"),
    "time.Time.MarshalJSON": ("gojson", "marshal_time"),
    "encoding/json.Unmarshal into interface{}": ("gojson", "unmarshal"),
    "sort.Sort": ("gosort", "go_sort"),
}

# The names the copies had where they lived before being unified into tickpy/golang (those whose
# name is not now one of golang's own); none may be defined again.
FORMER_COPIES = [
    # strconv
    "go_parse_int", "go_parse_uint", "go_parse_float", "go_parse_bool",  # runtime/lineprotocol
    "_parse_go_int", "_parse_go_float",  # golang/gotemplate_parse
    "_shortest_digits", "_special_float", "_go_div", "_go_rem",  # golang/goformat
    "_not_finite", "decode_go_bytes",  # golang/gojson
    "strconv_format_float", "_escape_rune",  # golang/gotemplate_fmt
    "go_quote_rune", "_wrap_int64",  # syntax/lexer
    "_go_rune_quote", "go_form_encode", "mime_q_encode",  # alerting/payloads/messaging
    "_sprint_v",  # alerting/payloads/monitoring
    "_go_print",  # check/evaluate
    # integers
    "_wrap",  # golang/gobessel, alerting/payloads/monitoring
    "go_int_div", "_go_pow",  # runtime/aggregates
    "_trunc_div", "_days_from_civil", "_weekday", "_yearday", "_days_before_month", "_duration_round",
    "_duration_truncate", "_go_string_time", "go_format_time",  # golang/gotemplate_types
    # time
    "civil_from_days", "_minute", "_hour", "_go_logn", "_go_name",  # lang/functions
    "go_truncate", "go_round",  # runtime/windowing, runtime/nodes/basic
    "go_sub",  # runtime/nodes/alert
    "format_file_mode",  # alerting/kinds
    "parse_duration",  # check/inputs
    # strings, regexp, net/url
    "_go_count", "_go_index", "_go_last_index", "_last_index_any", "_contains_any", "_to_upper", "_to_lower",
    "_expand_template", "regex_replace_all",  # lang/functions
    "_go_clean_path", "go_url_join",  # alerting/payloads/common
    # %T
    "_go_type_name",  # runtime/nodes/basic, runtime/nodes/transform
]


def _functions(path: pathlib.Path) -> list[str]:
    """Names of the functions a module defines: module level and nested in functions, not methods."""
    names: list[str] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.append(node.name)
                visit(node.body)
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                for part in ("body", "orelse", "finalbody", "handlers"):
                    for item in getattr(node, part, []):
                        visit(item.body if isinstance(item, ast.ExceptHandler) else [item])

    visit(ast.parse(path.read_text(), str(path)).body)
    return names


def _definitions() -> dict[str, list[str]]:
    """function name -> the modules (paths below tickpy/) that define it."""
    found: dict[str, list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        for name in _functions(path):
            found.setdefault(name, []).append(path.relative_to(ROOT).as_posix())
    return found


DEFINITIONS = _definitions()


@pytest.mark.parametrize("go_function", sorted(GO_FUNCTIONS))
def test_each_go_function_has_one_definition_in_its_golang_module(go_function):
    module, name = GO_FUNCTIONS[go_function]
    assert DEFINITIONS.get(name) == [f"golang/{module}.py"], (
        f"{go_function} ({name}) is defined in {DEFINITIONS.get(name)}: exactly once, in golang/{module}.py"
    )


@pytest.mark.parametrize("name", FORMER_COPIES)
def test_no_former_copy_comes_back(name):
    assert name not in DEFINITIONS, f"{name} is defined again in {DEFINITIONS[name]}: import it from tickpy/golang"


def test_the_package_table_names_every_module_and_function():
    import tickpy.golang

    table = tickpy.golang.__doc__
    for module, name in GO_FUNCTIONS.values():
        assert f"\n{module} " in table or f"\n{module}\n" in table, f"golang/{module}.py is missing from the table"
        assert name in table, f"{name} (golang/{module}.py) is missing from the table in tickpy/golang/__init__.py"
    for path in (ROOT / "golang").glob("go*.py"):
        stem = path.stem
        assert f"\n{stem} " in table or stem.startswith("gotemplate_"), f"{stem} is missing from the table"


def test_the_check_sees_a_second_definition(tmp_path):
    """The first test would fail on a copy outside golang, top level or nested in a function."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    def parse_float(text):\n        return float(text)\n    return parse_float\n"
                      "if True:\n    def go_round(t, s):\n        return t\n")
    assert _functions(module) == ["f", "parse_float", "go_round"]
