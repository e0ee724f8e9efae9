"""Go's standard-library behaviour, in Python: the one place it lives.

Kapacitor's output is shaped by Go: how strconv prints and parses numbers, how fmt formats,
how time prints durations and dates, how encoding/json writes, how sort orders, how math
rounds, and how text/template and html/template run. Each Go function that tickpy needs is
implemented here once; everything above imports it from here. This package imports nothing
else from tickpy, so a reader can skip it and trust it.

Module          Go functions (tickpy name)
--------------  -----------------------------------------------------------------------------
gotypes         int64 wrap-around (wrap_int64), conversion to intN/uintN (wrap_int), int64 `/` `%`
                (int64_div, int64_rem), int64(f) and uint64(f) on amd64 (float_to_int64,
                float_to_uint64), %T (go_type_name), os.FileMode.String (file_mode_string);
                the value types time.Duration and time.Time
goformat        strconv.ParseInt, ParseUint, Atoi, ParseFloat, ParseBool (parse_int, parse_uint, atoi,
                parse_float, parse_bool); FormatFloat (format_float) and its shortest forms 'f', 'e',
                'g'/%v (format_float_f, format_float_e, format_float_v) over the shortest digits
                (shortest_digits) and the NaN/+Inf/-Inf spelling (not_finite_text); Quote,
                QuoteToASCII, QuoteRune (go_quote, quote_to_ascii, quote_rune), CanBackquote,
                Unquote, UnquoteChar (can_backquote, go_unquote, unquote_char); unicode.IsPrint,
                IsLetter, IsDigit (is_go_printable, is_go_letter, is_go_digit); fmt's %v of a
                value (format_value_v)
gotime          Duration.String, Round, Truncate (format_go_duration, duration_round, duration_truncate);
                time.ParseDuration (parse_go_duration); influxql.ParseDuration and FormatDuration,
                TICKscript's literals (parse_influx_duration, format_influx_duration); Time.Date and
                Clock (civil_from_ns) and the day count of time.Date (days_from_civil); Time.Weekday,
                YearDay, AddDate, Truncate, Round, Sub (weekday, year_day, add_date, time_truncate,
                time_round, time_sub); Time.Format (format_time, and format_time_rfc3339nano for the
                RFC3339Nano layout), String, GoString (format_time_go_string, format_time_go_syntax)
gostrings       Go strings as bytes (go_bytes, from_go_bytes, go_text, join_text); strings.Index,
                LastIndex, IndexAny, LastIndexAny, ContainsAny, Count, Replace, TrimSpace, ToUpper,
                ToLower (index, last_index, index_any, last_index_any, contains_any, count, replace,
                trim_space, to_upper, to_lower)
goalgorithms    math.Exp, Log, Pow, Sin, ... as Go computes them, bit for bit
gobessel        math.J0, J1, Jn, Y0, Y1, Yn
gomath          the rest of math (go_floor, go_max, go_mod, ...) and float64 `/` (go_divide)
gojson          encoding/json: Marshal (dumps), Encoder.Encode (encoder_encode), floats
                (format_json_float), time.Time.MarshalJSON (marshal_time), Unmarshal into an
                interface{} (unmarshal), its numbers as json.loads hooks (json_float, json_int)
goyaml          gopkg.in/yaml.v2's integers: a YAML loader resolving them as Kapacitor's YAML does
                (SafeLoader, construct_yaml_int)
gosort          sort.Sort / sort.Stable (pdqsort, insertion sort) (go_sort)
goheap          container/heap: Init, Push, Pop (heap_init, heap_push, heap_pop)
goregexp        regexp.Compile's errors (compile_error), Regexp.Expand (expand), ReplaceAllString
                (replace_all_string)
gohttp          textproto.CanonicalMIMEHeaderKey (canonical_header_key), net/url ports
                (url_port_problem), a port's number as the dialer reads it (port_number), url.Values.Encode (values_encode), path.Clean (clean_path),
                url.Parse + path.Join + URL.String (join_url)
gomail          mime.QEncoding.Encode (q_encode), mime/quotedprintable.Writer (quoted_printable),
                net/mail.ParseAddress (parse_address)
gotemplate_*    text/template and html/template: parse, exec, fmt (Sprint, Sprintf), reflected
                types, escaping

tests/golang/test_one_implementation.py holds these names and fails when a second `def` of any
of them appears anywhere in tickpy, or when one of the copies unified into this package comes
back under its old name.
"""
