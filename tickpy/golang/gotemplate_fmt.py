"""Go's fmt package (Sprint, Sprintln, Sprintf) over typed Go values (`GV`).

Templates print through fmt, so the exact output of every verb, flag and mismatch matters:
`%!d(float64=91.5)`, `%!d(MISSING)`, `%!(EXTRA int=2)`, Stringers, maps sorted by key.
"""

from __future__ import annotations

from tickpy.golang.goformat import can_backquote, format_float, go_quote, is_go_printable, quote_rune, quote_to_ascii
from tickpy.golang.gotemplate_types import (
    BYTES,
    COMPLEX_KINDS,
    FLOAT_KINDS,
    GV,
    INT_KINDS,
    UINT8,
    UINT_KINDS,
    call_string_method,
    call_value_method,
    has_string_method,
    struct_fields,
)

# --- the printer -----------------------------------------------------------------------------


class _Printer:
    def __init__(self):
        self.buf: list[str] = []
        self.reset_flags()
        self.erroring = False
        self.arg = None  # the current top-level argument (GV or None)
        self.value = None  # the current reflected value (GV) inside printValue

    def reset_flags(self):
        self.plus = self.minus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid = self.prec = 0
        self.wid_present = self.prec_present = False

    # padding
    def pad(self, text: str):
        if not self.wid_present or self.wid == 0:
            self.buf.append(text)
            return
        width = self.wid - _rune_count(text)
        if width <= 0:
            self.buf.append(text)
        elif self.minus:
            self.buf.append(text + " " * width)
        else:
            self.buf.append(("0" if self.zero else " ") * width + text)

    # basic formatters
    def fmt_bool(self, value: bool, verb: str):
        if verb in "tv":
            self.pad("true" if value else "false")
        else:
            self.bad_verb(verb)

    def fmt_integer(self, value: int, signed: bool, verb: str, type_name: str = ""):
        if verb == "v":
            if self.sharp_v and not signed:
                self.fmt0x64(value, True)
            else:
                self.fmt_int(value, 10, verb, "0123456789abcdefx")
        elif verb == "d":
            self.fmt_int(value, 10, verb, "0123456789abcdefx")
        elif verb == "b":
            self.fmt_int(value, 2, verb, "0123456789abcdefx")
        elif verb in "oO":
            self.fmt_int(value, 8, verb, "0123456789abcdefx")
        elif verb == "x":
            self.fmt_int(value, 16, verb, "0123456789abcdefx")
        elif verb == "X":
            self.fmt_int(value, 16, verb, "0123456789ABCDEFX")
        elif verb == "c":
            self.pad(_rune_text(value))
        elif verb == "q":
            self.pad(quote_rune(value, self.plus))
        elif verb == "U":
            self.fmt_unicode(value)
        else:
            self.bad_verb(verb)

    def fmt0x64(self, value: int, leading: bool):
        sharp = self.sharp
        self.sharp = leading
        self.fmt_int(value, 16, "v", "0123456789abcdefx")
        self.sharp = sharp

    def fmt_int(self, value: int, base: int, verb: str, digits_set: str):
        negative = value < 0
        u = -value if negative else value
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                zero = self.zero
                self.zero = False
                self.buf.append(" " * self.wid if self.wid_present else "")
                self.zero = zero
                return
        elif self.zero and not self.minus and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        if base == 10:
            text = str(u)
        elif base == 16:
            text = "".join(digits_set[int(c, 16)] for c in format(u, "x"))
        elif base == 8:
            text = format(u, "o")
        else:
            text = format(u, "b")
        if len(text) < prec:
            text = "0" * (prec - len(text)) + text
        if self.sharp:
            if base == 2:
                text = "0b" + text
            elif base == 8 and not text.startswith("0"):
                text = "0" + text
            elif base == 16:
                text = "0" + digits_set[16] + text
        if verb == "O":
            text = "0o" + text
        if negative:
            text = "-" + text
        elif self.plus:
            text = "+" + text
        elif self.space:
            text = " " + text
        zero = self.zero
        self.zero = False
        self.pad(text)
        self.zero = zero

    def fmt_unicode(self, value: int):
        prec = 4
        if self.prec_present and self.prec > 4:
            prec = self.prec
        hex_digits = f"{value & 0xFFFFFFFFFFFFFFFF:X}".rjust(prec, "0")
        text = "U+" + hex_digits
        if self.sharp and 0 <= value <= 0x10FFFF and is_go_printable(chr(value)):
            text += " '" + chr(value) + "'"
        zero = self.zero
        self.zero = False
        self.pad(text)
        self.zero = zero

    def fmt_float(self, value: float, verb: str):
        if verb == "v":
            self._float(value, "g", -1)
        elif verb in "bgGxX":
            self._float(value, verb, -1)
        elif verb in "feEF":
            self._float(value, verb, 6)
        else:
            self.bad_verb(verb)

    def _float(self, value: float, verb: str, prec: int):
        if self.prec_present:
            prec = self.prec
        num = format_float(value, "f" if verb == "F" else verb, prec)
        if num[0] in "+-":
            sign, body = num[0], num[1:]
        else:
            sign, body = "+", num
        if self.space and sign == "+" and not self.plus:
            sign = " "
        if body in ("Inf", "NaN"):
            zero = self.zero
            self.zero = False
            text = sign + body
            if body == "NaN" and not self.space and not self.plus:
                text = body
            elif sign == "+" and not self.plus and not self.space:
                text = body
            self.pad(text)
            self.zero = zero
            return
        if self.sharp and verb != "b":
            body = self._sharp_float(body, verb, prec)
        if self.plus or sign != "+":
            if self.zero and not self.minus and self.wid_present and self.wid > len(body) + 1:
                self.buf.append(sign + "0" * (self.wid - len(body) - 1) + body)
                return
            self.pad(sign + body)
            return
        self.pad(body)

    def _sharp_float(self, body: str, verb: str, prec: int) -> str:
        digits = 0
        if verb in "vgGx":
            digits = prec if prec >= 0 else 6
        tail = ""
        exp_at = -1
        for i, ch in enumerate(body):
            if ch in "eEpP":
                exp_at = i
                break
        if exp_at >= 0:
            tail = body[exp_at:]
            body = body[:exp_at]
        saw_point = "." in body
        if verb in "xX":
            body_digits = body[2:] if body.lower().startswith("0x") else body
        else:
            body_digits = body
        sig = sum(1 for c in body_digits if c.isdigit() or c in "abcdefABCDEF")
        if verb not in "xX":
            stripped = body_digits.replace(".", "").lstrip("0")
            sig = len(stripped) if stripped else (1 if body_digits else 0)
        if not saw_point:
            if len(body) == 1 and body == "0" and verb not in "xX":
                sig = 1
            body += "."
        if verb in "gGvx" and digits > sig:
            body += "0" * (digits - sig)
        return body + tail

    def fmt_complex(self, value: complex, verb: str):
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb)
            return
        old_plus = self.plus
        self.buf.append("(")
        self.fmt_float(value.real, verb)
        self.plus = True
        self.fmt_float(value.imag, verb)
        self.buf.append("i)")
        self.plus = old_plus

    def fmt_string(self, text: str, verb: str):
        if verb == "v":
            if self.sharp_v:
                self.fmt_q(text)
            else:
                self.fmt_s(text)
        elif verb == "s":
            self.fmt_s(text)
        elif verb == "x":
            self.fmt_sx(text.encode("utf-8", "surrogateescape"), "0123456789abcdef")
        elif verb == "X":
            self.fmt_sx(text.encode("utf-8", "surrogateescape"), "0123456789ABCDEF")
        elif verb == "q":
            self.fmt_q(text)
        else:
            self.bad_verb(verb)

    def _truncate(self, text: str) -> str:
        if self.prec_present:
            return text[: self.prec]
        return text

    def fmt_s(self, text: str):
        self.pad(self._truncate(text))

    def fmt_q(self, text: str):
        text = self._truncate(text)
        if self.sharp and can_backquote(text):
            self.pad("`" + text + "`")
        else:
            self.pad(quote_to_ascii(text) if self.plus else go_quote(text))

    def fmt_sx(self, data: bytes, digits: str):
        length = len(data)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width > 0:
            if self.space:
                if self.sharp:
                    width *= 2
                width += length - 1
            elif self.sharp:
                width += 2
        else:
            if self.wid_present:
                self.buf.append(" " * self.wid)
            return
        out = []
        if self.wid_present and self.wid > width and not self.minus:
            out.append(" " * (self.wid - width))
        prefix = "0x" if digits[10] == "a" else "0X"
        if self.sharp:
            out.append(prefix)
        for i in range(length):
            if self.space and i > 0:
                out.append(" ")
                if self.sharp:
                    out.append(prefix)
            b = data[i]
            out.append(digits[b >> 4] + digits[b & 0xF])
        if self.wid_present and self.wid > width and self.minus:
            out.append(" " * (self.wid - width))
        self.buf.append("".join(out))

    def fmt_bytes(self, data: bytes, verb: str, type_name: str):
        if verb in "vd":
            if self.sharp_v:
                self.buf.append(type_name)
                self.buf.append("{" + ", ".join(f"0x{b:x}" for b in data) + "}")
            else:
                self.buf.append("[")
                for i, b in enumerate(data):
                    if i:
                        self.buf.append(" ")
                    self.fmt_int(b, 10, verb, "0123456789abcdefx")
                self.buf.append("]")
        elif verb == "s":
            self.fmt_s(data.decode("utf-8", "surrogateescape"))
        elif verb == "x":
            self.fmt_sx(data, "0123456789abcdef")
        elif verb == "X":
            self.fmt_sx(data, "0123456789ABCDEF")
        elif verb == "q":
            self.fmt_q(data.decode("utf-8", "surrogateescape"))
        else:
            self.print_value(GV(BYTES, [GV(UINT8, b) for b in data]), verb, 0)

    def bad_verb(self, verb: str):
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        if self.arg is not None:
            self.buf.append(self.arg.t.name + "=")
            self.print_arg(self.arg, "v")
        elif self.value is not None:
            self.buf.append(self.value.t.name + "=")
            self.print_value(self.value, "v", 0)
        else:
            self.buf.append("<nil>")
        self.buf.append(")")
        self.erroring = False

    # dispatch
    def print_arg(self, arg: GV | None, verb: str):
        self.arg = arg
        self.value = None
        if arg is None:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb)
            return
        if verb == "T":
            self.fmt_s(arg.t.name)
            return
        if verb == "p":
            self.fmt_pointer(arg, verb)
            return
        if self.handle_methods(arg, verb):
            return
        self.print_value(arg, verb, 0)

    def handle_methods(self, arg: GV, verb: str) -> bool:
        if self.erroring:
            return False
        if self.sharp_v:
            if arg.t.name == "time.Time":
                self.fmt_s(call_value_method(arg, "GoString").v)
                return True
            return False
        if verb in "vsxXq" and has_string_method(arg.t):
            self.fmt_string(call_string_method(arg), verb)
            return True
        return False

    def print_value(self, value: GV | None, verb: str, depth: int):
        if depth > 0 and value is not None and getattr(value, "_exported", True):
            self.arg = value
            if self.handle_methods(value, verb):
                return
        self.arg = None
        self.value = value
        if value is None:
            if depth == 0:
                self.buf.append("<invalid reflect.Value>")
            elif verb == "v":
                self.buf.append("<nil>")
            else:
                self.bad_verb(verb)
            return
        kind = value.t.kind
        if kind == "bool":
            self.fmt_bool(value.v, verb)
        elif kind in INT_KINDS:
            self.fmt_integer(value.v, True, verb)
        elif kind in UINT_KINDS:
            self.fmt_integer(value.v, False, verb)
        elif kind in FLOAT_KINDS:
            self.fmt_float(value.v, verb)
        elif kind in COMPLEX_KINDS:
            self.fmt_complex(value.v, verb)
        elif kind == "string":
            self.fmt_string(value.v, verb)
        elif kind == "map":
            self.print_map(value, verb, depth)
        elif kind == "struct":
            self.print_struct(value, verb, depth)
        elif kind == "interface":
            inner = value.v
            if inner is None:
                if self.sharp_v:
                    self.buf.append(value.t.name + "(nil)")
                else:
                    self.buf.append("<nil>")
            else:
                self.print_value(inner, verb, depth + 1)
        elif kind == "slice":
            elem_type = value.t.elem
            assert elem_type is not None, "a slice type carries its element type"
            if verb in "sqxX" and elem_type.kind == "uint8":
                self.fmt_bytes(bytes(b.v for b in value.v), verb, value.t.name)
                return
            if self.sharp_v:
                self.buf.append(value.t.name)
                if value.v is None:
                    self.buf.append("(nil)")
                    return
                self.buf.append("{")
                for i, item in enumerate(value.v):
                    if i:
                        self.buf.append(", ")
                    self.print_value(item, verb, depth + 1)
                self.buf.append("}")
            else:
                self.buf.append("[")
                for i, item in enumerate(value.v or []):
                    if i:
                        self.buf.append(" ")
                    self.print_value(item, verb, depth + 1)
                self.buf.append("]")
        elif kind == "ptr":
            self.fmt_pointer(value, verb)
        else:
            self.buf.append("?")

    def print_map(self, value: GV, verb: str, depth: int):
        if self.sharp_v:
            self.buf.append(value.t.name)
            if value.v is None:
                self.buf.append("(nil)")
                return
            self.buf.append("{")
        else:
            self.buf.append("map[")
        entries = value.v or {}
        key_type = value.t.key
        assert key_type is not None, "a map type carries its key type"
        for i, key in enumerate(sort_map_keys(entries)):
            if i:
                self.buf.append(", " if self.sharp_v else " ")
            self.print_value(GV(key_type, key), verb, depth + 1)
            self.buf.append(":")
            self.print_value(entries[key], verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def print_struct(self, value: GV, verb: str, depth: int):
        if self.sharp_v:
            self.buf.append(value.t.name)
        self.buf.append("{")
        fields = value.t.fields
        items = struct_fields(value)
        for i, (spec, item) in enumerate(zip(fields, items)):
            if i:
                self.buf.append(", " if self.sharp_v else " ")
            if self.plus_v or self.sharp_v:
                self.buf.append(spec.name + ":")
            if not spec.exported:
                # Unexported fields (incl. embedded ones) are printed without their methods.
                self._print_unexported(item, verb, depth + 1)
            else:
                self.print_value(item, verb, depth + 1)
        self.buf.append("}")

    def _print_unexported(self, item: GV, verb: str, depth: int):
        self.arg = None
        self.value = item
        if item is not None and item.t.kind == "struct" and item.t.name != "time.Time":
            # exported fields of an unexported embedded struct keep their methods
            self.print_struct(item, verb, depth)
            return
        saved = self.erroring
        self.erroring = True  # suppress String() on this value only
        try:
            self.print_value(item, verb, 0 if item is None else depth)
        finally:
            self.erroring = saved

    def fmt_pointer(self, value: GV, verb: str):
        if value.t.kind != "ptr":
            self.bad_verb(verb)
            return
        address = 0 if value.v is None else 0xC000010000
        if verb == "v":
            if self.sharp_v:
                self.buf.append("(" + value.t.name + ")(")
                self.buf.append("nil" if address == 0 else f"0x{address:x}")
                self.buf.append(")")
            elif address == 0:
                self.pad("<nil>")
            else:
                self.fmt0x64(address, not self.sharp)
        elif verb == "p":
            self.fmt0x64(address, not self.sharp)
        elif verb in "bodxX":
            self.fmt_integer(address, False, verb)
        else:
            self.bad_verb(verb)


def _rune_count(text: str) -> int:
    return len(text)  # a Python str holds runes (invalid bytes are single surrogates)


def _rune_text(code: int) -> str:
    if code < 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def sort_map_keys(entries: dict) -> list:
    keys = list(entries)
    if keys and isinstance(keys[0], str):
        return sorted(keys, key=lambda k: k.encode("utf-8", "surrogateescape"))
    return sorted(keys)


# --- public API ------------------------------------------------------------------------------


def sprint(args: list) -> str:
    p = _Printer()
    prev_string = False
    for index, arg in enumerate(args):
        is_string = arg is not None and arg.t.kind == "string"
        if index > 0 and not is_string and not prev_string:
            p.buf.append(" ")
        p.print_arg(arg, "v")
        prev_string = is_string
    return "".join(p.buf)


def sprintln(args: list) -> str:
    p = _Printer()
    for index, arg in enumerate(args):
        if index > 0:
            p.buf.append(" ")
        p.print_arg(arg, "v")
    p.buf.append("\n")
    return "".join(p.buf)


def _parse_num(fmt: str, i: int, end: int) -> tuple[int, bool, int]:
    if i >= end:
        return 0, False, end
    num = 0
    is_num = False
    while i < end and "0" <= fmt[i] <= "9":
        if num > 1_000_000:
            return 0, False, end
        num = num * 10 + int(fmt[i])
        is_num = True
        i += 1
    return num, is_num, i


def _int_from_arg(args: list, arg_num: int) -> tuple[int, bool, int]:
    num, is_int = 0, False
    if arg_num < len(args):
        arg = args[arg_num]
        if arg is not None and arg.t.kind in INT_KINDS | UINT_KINDS:
            num = arg.v
            is_int = True
            if not (-1_000_000 <= num <= 1_000_000):
                num, is_int = 0, False
        arg_num += 1
    return num, is_int, arg_num


def _parse_arg_number(fmt: str) -> tuple[int, int, bool]:
    """An explicit argument index "[n]" at the start of fmt: (index, width, ok)."""
    if len(fmt) < 3:
        return 0, 1, False
    for i in range(1, len(fmt)):
        if fmt[i] == "]":
            width, ok, new_i = _parse_num(fmt, 1, i)
            if not ok or new_i != i:
                return 0, i + 1, False
            return width - 1, i + 1, True
    return 0, 1, False


def _arg_number(arg_num: int, fmt: str, i: int, num_args: int):
    """fmt's argNumber: (new arg_num, new i, found, index_ok, saw_bracket)."""
    if len(fmt) <= i or fmt[i] != "[":
        return arg_num, i, False, True, False
    index, width, ok = _parse_arg_number(fmt[i:])
    if ok and 0 <= index < num_args:
        return index, i + width, True, True, True
    return arg_num, i + width, ok, False, True


def sprintf(fmt: str, args: list) -> str:
    p = _Printer()
    end = len(fmt)
    arg_num = 0
    after_index = False
    reordered = False
    i = 0
    while i < end:
        good_arg_num = True
        lasti = i
        while i < end and fmt[i] != "%":
            i += 1
        if i > lasti:
            p.buf.append(fmt[lasti:i])
        if i >= end:
            break
        i += 1  # skip %
        p.reset_flags()
        simple_done = False
        while i < end:
            c = fmt[i]
            if c == "#":
                p.sharp = True
            elif c == "0":
                p.zero = not p.minus  # zero padding only to the left
            elif c == "+":
                p.plus = True
            elif c == "-":
                p.minus = True
                p.zero = False
            elif c == " ":
                p.space = True
            else:
                if "a" <= c <= "z" and arg_num < len(args):
                    # a plain verb without width, precision or index
                    if c == "v":
                        p.sharp_v, p.sharp = p.sharp, False
                        p.plus_v, p.plus = p.plus, False
                    if c == "w":
                        c = "v"
                    p.print_arg(args[arg_num], c)
                    arg_num += 1
                    i += 1
                    simple_done = True
                break
            i += 1
        if simple_done:
            continue
        # argument index, width
        arg_num, i, after_index, ok, bracket = _arg_number(arg_num, fmt, i, len(args))
        reordered |= bracket
        if not ok:
            good_arg_num = False
        if i < end and fmt[i] == "*":
            i += 1
            p.wid, p.wid_present, arg_num = _int_from_arg(args, arg_num)
            if not p.wid_present:
                p.buf.append("%!(BADWIDTH)")
            if p.wid < 0:
                p.wid = -p.wid
                p.minus = True
                p.zero = False
            after_index = False
        else:
            p.wid, p.wid_present, i = _parse_num(fmt, i, end)
            if after_index and p.wid_present:
                good_arg_num = False
        if i + 1 <= end and i < end and fmt[i] == ".":
            i += 1
            if after_index:
                good_arg_num = False
            arg_num, i, after_index, ok, bracket = _arg_number(arg_num, fmt, i, len(args))
            reordered |= bracket
            if not ok:
                good_arg_num = False
            if i < end and fmt[i] == "*":
                i += 1
                p.prec, p.prec_present, arg_num = _int_from_arg(args, arg_num)
                if p.prec < 0:
                    p.prec = 0
                    p.prec_present = False
                if not p.prec_present:
                    p.buf.append("%!(BADPREC)")
                after_index = False
            else:
                p.prec, p.prec_present, i = _parse_num(fmt, i, end)
                if not p.prec_present:
                    p.prec = 0
                    p.prec_present = True
        if not after_index:
            arg_num, i, after_index, ok, bracket = _arg_number(arg_num, fmt, i, len(args))
            reordered |= bracket
            if not ok:
                good_arg_num = False
        if i >= end:
            p.buf.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            p.buf.append("%")
        elif not good_arg_num:
            p.buf.append("%!" + verb + "(BADINDEX)")
        elif arg_num >= len(args):
            p.buf.append("%!" + verb + "(MISSING)")
        elif verb == "w":
            p.buf.append("%!w(")
            p.print_arg(args[arg_num], "v")
            p.buf.append(")")
            arg_num += 1
        else:
            if verb == "v":
                p.sharp_v = p.sharp
                p.sharp = False
                p.plus_v = p.plus
                p.plus = False
            p.print_arg(args[arg_num], verb)
            arg_num += 1
    if not reordered and arg_num < len(args):
        p.reset_flags()
        p.buf.append("%!(EXTRA ")
        for index, arg in enumerate(args[arg_num:]):
            if index:
                p.buf.append(", ")
            if arg is None:
                p.buf.append("<nil>")
            else:
                p.buf.append(arg.t.name + "=")
                p.print_arg(arg, "v")
        p.buf.append(")")
    return "".join(p.buf)


__all__ = ["sprint", "sprintf", "sprintln", "sort_map_keys"]
