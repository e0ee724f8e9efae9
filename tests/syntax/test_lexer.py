"""The lexer's context rules, which decide what Kapacitor's parser sees."""

from tickpy.syntax.lexer import LiteralProblem, check_duration, check_number, lex


def types(source: str) -> list[str]:
    return [tok.type for tok in lex(source).tokens]


def test_slash_divides_after_a_value_and_starts_a_regex_elsewhere():
    assert types('"a" / 2') == ["REFERENCE", "DIV", "NUMBER"]
    assert types("f(/a/)") == ["IDENT", "LPAREN", "REGEX", "RPAREN"]
    assert types('"a" =~ /x/') == ["REFERENCE", "REQ", "REGEX"]
    assert types('"a" !~ /x/') == ["REFERENCE", "RNE", "REGEX"]
    assert types("var r = /x/") == ["VAR", "IDENT", "ASGN", "REGEX"]


def test_star_is_a_product_only_after_a_value():
    assert types("2 * 3") == ["NUMBER", "MULT", "NUMBER"]
    assert types("groupBy(*)") == ["IDENT", "LPAREN", "STAR", "RPAREN"]


def test_keywords_are_case_sensitive_and_lambda_needs_its_colon():
    assert types("TRUE FALSE AND OR") == ["TRUE", "FALSE", "AND", "OR"]
    assert types("true false and or") == ["IDENT"] * 4
    assert types("lambda: 1") == ["LAMBDA", "NUMBER"]
    assert types("lambda") == ["IDENT"]


def test_numbers_durations_and_dots():
    assert types("5m 5ms 1.5 .5 5.") == ["DURATION", "DURATION", "NUMBER", "NUMBER", "NUMBER"]
    assert types("5mins") == ["DURATION", "IDENT"]  # `5m` then a name
    assert types("1e3") == ["NUMBER", "IDENT"]  # no exponents
    assert types("a.b") == ["IDENT", "DOT", "IDENT"]


def test_minus_is_always_its_own_token():
    assert types("-1") == ["MINUS", "NUMBER"]
    assert types("1-1") == ["NUMBER", "MINUS", "NUMBER"]


def test_lexer_errors_stop_where_the_bad_token_starts():
    result = lex("var s = 'abc")
    assert result.error.message == "unterminated string" and result.error.offset == 8
    result = lex("a + b\nx = 1 + +")
    assert result.error.message == "unknown state, last char: '+'"
    assert lex("1.2.3").error.message == "multiple decimals in number"
    assert lex('"field').error.message == "unterminated field reference"
    assert lex("f(/abc)").error.message == "unterminated regex"


def test_comments_ride_on_the_next_token_and_blank_lines_split_blocks():
    tokens = lex("// one\n// two\n\n// three\nstream").tokens
    assert [t.type for t in tokens] == ["IDENT"]
    comment = tokens[0].comment
    assert comment.kapacitor_lines == ["one", "two", "\n", "three"]
    assert comment.lines == [" one", " two", " three"]
    assert lex("x // end").eof_comment.kapacitor_lines == ["end"]


def test_number_literals_follow_go_rules():
    assert check_number("010") == 8
    assert isinstance(check_number("08"), LiteralProblem)
    assert check_number("9223372036854775807") == 2**63 - 1
    assert isinstance(check_number("9223372036854775808"), LiteralProblem)
    assert check_number("5.") == 5.0


def test_duration_literals_follow_influxql_rules():
    assert check_duration("1u") == 1_000 == check_duration("1µ")
    assert check_duration("2ms") == 2_000_000
    assert check_duration("1w") == 7 * 24 * 3600 * 10**9
    overflow = check_duration("15251w")  # wraps past int64 like Go does
    assert isinstance(overflow, LiteralProblem) and overflow.message.startswith("overflowed duration 15251w")


def test_regexes_are_checked_like_go_regexp():
    from tickpy.syntax.lexer import check_regex

    assert check_regex("^cpu[0-9]+$") is None
    assert check_regex("(a").message == "error parsing regexp: missing closing ): `(a`"
    assert check_regex("a**").message == "error parsing regexp: invalid nested repetition operator: `**`"
    assert check_regex("(?=a)").message == "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
    assert check_regex("a\\Cb") is not None  # RE2 allows \C, Go does not
