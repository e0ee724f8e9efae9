"""Go's html/template: text/template plus contextual auto-escaping, as Kapacitor's `.details()`.

Before the first execution the template is walked with an HTML/CSS/JS context (a small state
machine over the literal text); every action gets the escaping functions its context needs
appended to its pipeline, comments are removed from literal text, and a template that ends
inside a tag, attribute or script fails. The context names appear verbatim in Go's error
messages, so they are kept.
"""

from __future__ import annotations

import copy
import html as html_lib
import re
from dataclasses import dataclass, replace

from tickpy.golang import gotemplate_parse as P
from tickpy.golang.goformat import go_quote
from tickpy.golang.gojson import GoJSONError, dumps
from tickpy.golang.gotemplate_exec import ExecError, Func, TextTemplate, error_location
from tickpy.golang.gotemplate_fmt import sprint
from tickpy.golang.gotemplate_types import (
    EMPTY_INTERFACE,
    GV,
    HTML_JS,
    STRING,
    call_string_method,
    has_string_method,
    to_json_value,
)

FILTER_FAILSAFE = "ZgotmplZ"

# --- contexts --------------------------------------------------------------------------------

STATES = [
    "stateText", "stateTag", "stateAttrName", "stateAfterName", "stateBeforeValue", "stateHTMLCmt",
    "stateRCDATA", "stateAttr", "stateURL", "stateSrcset", "stateJS", "stateJSDqStr", "stateJSSqStr",
    "stateJSTmplLit", "stateJSRegexp", "stateJSBlockCmt", "stateJSLineCmt", "stateJSHTMLOpenCmt",
    "stateJSHTMLCloseCmt", "stateCSS", "stateCSSDqStr", "stateCSSSqStr", "stateCSSDqURL", "stateCSSSqURL",
    "stateCSSURL", "stateCSSBlockCmt", "stateCSSLineCmt", "stateError", "stateDead",
]
(TEXT, TAG, ATTR_NAME, AFTER_NAME, BEFORE_VALUE, HTML_CMT, RCDATA, ATTR, URL, SRCSET, JS, JS_DQ_STR, JS_SQ_STR,
 JS_TMPL_LIT, JS_REGEXP, JS_BLOCK_CMT, JS_LINE_CMT, JS_HTML_OPEN_CMT, JS_HTML_CLOSE_CMT, CSS, CSS_DQ_STR,
 CSS_SQ_STR, CSS_DQ_URL, CSS_SQ_URL, CSS_URL, CSS_BLOCK_CMT, CSS_LINE_CMT, ERROR, DEAD) = range(len(STATES))

DELIMS = ["delimNone", "delimDoubleQuote", "delimSingleQuote", "delimSpaceOrTagEnd"]
DELIM_NONE, DELIM_DOUBLE, DELIM_SINGLE, DELIM_SPACE = range(4)
URL_PARTS = ["urlPartNone", "urlPartPreQuery", "urlPartQueryOrFrag", "urlPartUnknown"]
URL_NONE, URL_PRE_QUERY, URL_QUERY_OR_FRAG, URL_UNKNOWN = range(4)
JS_CTXS = ["jsCtxRegexp", "jsCtxDivOp", "jsCtxUnknown"]
JS_REGEXP_CTX, JS_DIV_OP, JS_UNKNOWN = range(3)
ATTRS = ["attrNone", "attrScript", "attrScriptType", "attrStyle", "attrURL", "attrSrcset"]
ATTR_NONE, ATTR_SCRIPT, ATTR_SCRIPT_TYPE, ATTR_STYLE, ATTR_URL, ATTR_SRCSET = range(6)
ELEMENTS = ["elementNone", "elementScript", "elementStyle", "elementTextarea", "elementTitle"]
EL_NONE, EL_SCRIPT, EL_STYLE, EL_TEXTAREA, EL_TITLE = range(5)


@dataclass(frozen=True)
class EscapeError:
    description: str
    node: object = None
    line: int = 0
    name: str = ""


@dataclass(frozen=True)
class Context:
    state: int = TEXT
    delim: int = DELIM_NONE
    url_part: int = URL_NONE
    js_ctx: int = JS_REGEXP_CTX
    attr: int = ATTR_NONE
    element: int = EL_NONE
    err: EscapeError | None = None  # set exactly when state is ERROR
    n: P.BreakNode | P.ContinueNode | None = None  # the break/continue a range context records

    def __str__(self):
        parts = (STATES[self.state], DELIMS[self.delim], URL_PARTS[self.url_part], JS_CTXS[self.js_ctx],
                 ATTRS[self.attr], ELEMENTS[self.element], "<nil>" if self.err is None else self.err.description)
        return "{" + " ".join(str(part) for part in parts) + "}"

    def error(self) -> EscapeError:
        """The error an ERROR context carries."""
        assert self.err is not None, "an error context carries its error"
        return self.err

    def eq(self, other: Context) -> bool:
        return (self.state, self.delim, self.url_part, self.js_ctx, self.attr, self.element, self.err) == (
            other.state, other.delim, other.url_part, other.js_ctx, other.attr, other.element, other.err)

    def mangle(self, name: str) -> str:
        if self.state == TEXT:
            return name
        text = name + "$htmltemplate_" + STATES[self.state]
        if self.delim:
            text += "_" + DELIMS[self.delim]
        if self.url_part:
            text += "_" + URL_PARTS[self.url_part]
        if self.js_ctx:
            text += "_" + JS_CTXS[self.js_ctx]
        if self.attr:
            text += "_" + ATTRS[self.attr]
        if self.element:
            text += "_" + ELEMENTS[self.element]
        return text


def error_context(description: str, node=None, line: int = 0) -> Context:
    return Context(state=ERROR, err=EscapeError(description, node, line))


def is_comment(state: int) -> bool:
    return state in (HTML_CMT, JS_BLOCK_CMT, JS_LINE_CMT, JS_HTML_OPEN_CMT, JS_HTML_CLOSE_CMT, CSS_BLOCK_CMT, CSS_LINE_CMT)


# --- attribute types ---------------------------------------------------------------------------

CT_PLAIN, CT_CSS, CT_HTML, CT_HTML_ATTR, CT_JS, CT_JS_STR, CT_URL, CT_SRCSET, CT_UNSAFE = range(9)

_URL_ATTRS = {"action", "archive", "background", "cite", "classid", "codebase", "data", "formaction", "href",
              "icon", "longdesc", "manifest", "poster", "profile", "src", "usemap", "xmlns"}


def attr_type(name: str) -> int:
    if name.startswith("data-"):
        name = name[5:]
    elif ":" in name:
        prefix, short = name.split(":", 1)
        if prefix == "xmlns":
            return CT_URL
        name = short
    if name in _URL_ATTRS:
        return CT_URL
    if name == "style":
        return CT_CSS
    if name == "srcset":
        return CT_SRCSET
    if name == "srcdoc":
        return CT_HTML
    if name in _PLAIN_ATTRS:
        return CT_PLAIN
    if name.startswith("on"):
        return CT_JS
    if "src" in name or "uri" in name or "url" in name:
        return CT_URL
    return CT_PLAIN


_PLAIN_ATTRS = {
    "accept", "accept-charset", "alt", "async", "autocomplete", "autofocus", "autoplay", "border", "challenge",
    "charset", "checked", "class", "cols", "colspan", "content", "contenteditable", "contextmenu", "controls",
    "coords", "crossorigin", "datetime", "default", "defer", "dir", "dirname", "disabled", "draggable",
    "dropzone", "enctype", "for", "form", "formenctype", "formmethod", "formnovalidate", "formtarget",
    "headers", "height", "hidden", "high", "hreflang", "http-equiv", "id", "ismap", "keytype", "kind",
    "label", "lang", "language", "list", "loop", "low", "max", "maxlength", "media", "mediagroup", "method",
    "min", "multiple", "name", "novalidate", "open", "optimum", "pattern", "placeholder", "preload",
    "pubdate", "radiogroup", "readonly", "rel", "required", "reversed", "rows", "rowspan", "sandbox",
    "spellcheck", "scope", "scoped", "seamless", "selected", "shape", "size", "sizes", "span", "srclang",
    "start", "step", "tabindex", "target", "title", "type", "value", "width", "wrap",
}


# --- transitions -------------------------------------------------------------------------------

_SPACE = " \t\n\f\r"
_ELEMENT_NAMES = {"script": EL_SCRIPT, "style": EL_STYLE, "textarea": EL_TEXTAREA, "title": EL_TITLE}
_ELEMENT_CONTENT = {EL_NONE: TEXT, EL_SCRIPT: JS, EL_STYLE: CSS, EL_TEXTAREA: RCDATA, EL_TITLE: RCDATA}
_ATTR_START = {ATTR_NONE: ATTR, ATTR_SCRIPT: JS, ATTR_SCRIPT_TYPE: ATTR, ATTR_STYLE: CSS, ATTR_URL: URL, ATTR_SRCSET: SRCSET}
_SPECIAL_END = {EL_SCRIPT: "script", EL_STYLE: "style", EL_TEXTAREA: "textarea", EL_TITLE: "title"}


def _eat_white_space(s: str, i: int) -> int:
    while i < len(s) and s[i] in _SPACE:
        i += 1
    return i


def _ascii_alpha(ch: str) -> bool:
    return ("A" <= ch <= "Z") or ("a" <= ch <= "z")


def _ascii_alnum(ch: str) -> bool:
    return _ascii_alpha(ch) or ("0" <= ch <= "9")


def _eat_tag_name(s: str, i: int):
    if i == len(s) or not _ascii_alpha(s[i]):
        return i, EL_NONE
    j = i + 1
    while j < len(s):
        x = s[j]
        if _ascii_alnum(x):
            j += 1
            continue
        if x in ":-" and j + 1 < len(s) and _ascii_alnum(s[j + 1]):
            j += 2
            continue
        break
    return j, _ELEMENT_NAMES.get(s[i:j].lower(), EL_NONE)


def _eat_attr_name(s: str, i: int):
    for j in range(i, len(s)):
        ch = s[j]
        if ch in " \t\n\f\r=>":
            return j, None
        if ch in "'\"<":
            return -1, EscapeError(f"{go_quote(ch)} in attribute name: {_go_q32(s)}")
    return len(s), None


def _go_q32(text: str) -> str:
    return go_quote(text[:32])


def t_text(c: Context, s: str):
    k = 0
    while True:
        i = s.find("<", k)
        if i < 0 or i + 1 == len(s):
            return c, len(s)
        if s.startswith("<!--", i):
            return Context(state=HTML_CMT), i + 4
        i += 1
        end = False
        if s[i] == "/":
            if i + 1 == len(s):
                return c, len(s)
            end, i = True, i + 1
        j, element = _eat_tag_name(s, i)
        if j != i:
            if end:
                element = EL_NONE
            return Context(state=TAG, element=element), j
        k = j


def t_tag(c: Context, s: str):
    i = _eat_white_space(s, 0)
    if i == len(s):
        return c, len(s)
    if s[i] == ">":
        return Context(state=_ELEMENT_CONTENT[c.element], element=c.element), i + 1
    j, err = _eat_attr_name(s, i)
    if err is not None:
        return Context(state=ERROR, err=err), len(s)
    if i == j:
        return error_context(f"expected space, attr name, or end of tag, but got {go_quote(s[i:])}"), len(s)
    attr_name = s[i:j].lower()
    attr = ATTR_NONE
    if c.element == EL_SCRIPT and attr_name == "type":
        attr = ATTR_SCRIPT_TYPE
    else:
        kind = attr_type(attr_name)
        attr = {CT_URL: ATTR_URL, CT_CSS: ATTR_STYLE, CT_JS: ATTR_SCRIPT, CT_SRCSET: ATTR_SRCSET}.get(kind, ATTR_NONE)
    state = ATTR_NAME if j == len(s) else AFTER_NAME
    return Context(state=state, element=c.element, attr=attr), j


def t_attr_name(c: Context, s: str):
    i, err = _eat_attr_name(s, 0)
    if err is not None:
        return Context(state=ERROR, err=err), len(s)
    if i != len(s):
        c = replace(c, state=AFTER_NAME)
    return c, i


def t_after_name(c: Context, s: str):
    i = _eat_white_space(s, 0)
    if i == len(s):
        return c, len(s)
    if s[i] != "=":
        return replace(c, state=TAG), i
    return replace(c, state=BEFORE_VALUE), i + 1


def t_before_value(c: Context, s: str):
    i = _eat_white_space(s, 0)
    if i == len(s):
        return c, len(s)
    delim = DELIM_SPACE
    if s[i] == "'":
        delim, i = DELIM_SINGLE, i + 1
    elif s[i] == '"':
        delim, i = DELIM_DOUBLE, i + 1
    return replace(c, state=_ATTR_START[c.attr], delim=delim), i


def t_html_cmt(c: Context, s: str):
    i = s.find("-->")
    if i != -1:
        return Context(), i + 3
    return c, len(s)


def _index_tag_end(s: str, tag: str) -> int:
    res = 0
    while s:
        i = s.find("</")
        if i == -1:
            return -1
        s = s[i + 2 :]
        if len(tag) <= len(s) and s[: len(tag)].lower() == tag:
            s = s[len(tag) :]
            if s and s[0] in "> \t\n\f/":
                return res + i
            res += len(tag)
        res += i + 2
    return -1


def t_special_tag_end(c: Context, s: str):
    if c.element != EL_NONE:
        # "</script" inside a JS string, template or regexp literal does not end the script
        if c.element == EL_SCRIPT and c.state in (JS_DQ_STR, JS_SQ_STR, JS_TMPL_LIT, JS_REGEXP):
            return c, len(s)
        i = _index_tag_end(s, _SPECIAL_END[c.element])
        if i != -1:
            return Context(), i
    return c, len(s)


def t_attr(c: Context, s: str):
    return c, len(s)


def t_url(c: Context, s: str):
    if "#" in s or "?" in s:
        c = replace(c, url_part=URL_QUERY_OR_FRAG)
    elif len(s) != _eat_white_space(s, 0) and c.url_part == URL_NONE:
        c = replace(c, url_part=URL_PRE_QUERY)
    return c, len(s)


_REGEXP_PRECEDERS = {"break", "case", "continue", "delete", "do", "else", "finally", "in", "instanceof",
                     "return", "throw", "try", "typeof", "void"}


def _is_js_ident_part(ch: str) -> bool:
    return ch == "$" or ch == "_" or ("0" <= ch <= "9") or ("A" <= ch <= "Z") or ("a" <= ch <= "z")


def next_js_ctx(s: str, preceding: int) -> int:
    s = s.rstrip("\t\n\f\r \u2028\u2029")
    if not s:
        return preceding
    c, n = s[-1], len(s)
    if c in "+-":
        start = n - 1
        while start > 0 and s[start - 1] == c:
            start -= 1
        return JS_REGEXP_CTX if (n - start) & 1 == 1 else JS_DIV_OP
    if c == ".":
        if n != 1 and "0" <= s[n - 2] <= "9":
            return JS_DIV_OP
        return JS_REGEXP_CTX
    if c in ",<>=*%&|^?!~([:;{}":
        return JS_REGEXP_CTX
    j = n
    while j > 0 and _is_js_ident_part(s[j - 1]):
        j -= 1
    if s[j:] in _REGEXP_PRECEDERS:
        return JS_REGEXP_CTX
    return JS_DIV_OP


def _index_any(s: str, chars: str, start: int = 0) -> int:
    best = -1
    for ch in chars:
        i = s.find(ch, start)
        if i != -1 and (best == -1 or i < best):
            best = i
    return best


def t_js(c: Context, s: str):
    i = _index_any(s, "\"`'/<-#")
    if i == -1:
        return replace(c, js_ctx=next_js_ctx(s, c.js_ctx)), len(s)
    c = replace(c, js_ctx=next_js_ctx(s[:i], c.js_ctx))
    ch = s[i]
    if ch == '"':
        c = replace(c, state=JS_DQ_STR, js_ctx=JS_REGEXP_CTX)
    elif ch == "'":
        c = replace(c, state=JS_SQ_STR, js_ctx=JS_REGEXP_CTX)
    elif ch == "`":
        c = replace(c, state=JS_TMPL_LIT, js_ctx=JS_REGEXP_CTX)
    elif ch == "/":
        if i + 1 < len(s) and s[i + 1] == "/":
            c, i = replace(c, state=JS_LINE_CMT), i + 1
        elif i + 1 < len(s) and s[i + 1] == "*":
            c, i = replace(c, state=JS_BLOCK_CMT), i + 1
        elif c.js_ctx == JS_REGEXP_CTX:
            c = replace(c, state=JS_REGEXP)
        elif c.js_ctx == JS_DIV_OP:
            c = replace(c, js_ctx=JS_REGEXP_CTX)
        else:
            return error_context(f"'/' could start a division or regexp: {_go_q32(s[i:])}"), len(s)
    elif ch == "<":
        if i + 3 < len(s) and s.startswith("<!--", i):
            c, i = replace(c, state=JS_HTML_OPEN_CMT), i + 3
    elif ch == "-":
        if i + 2 < len(s) and s.startswith("-->", i):
            c, i = replace(c, state=JS_HTML_CLOSE_CMT), i + 2
    elif ch == "#":
        if i + 1 < len(s) and s[i + 1] == "!":
            c, i = replace(c, state=JS_LINE_CMT), i + 1
    return c, i + 1


def t_js_tmpl(c: Context, s: str):
    k = 0
    while True:
        i = _index_any(s, "`\\$", k)
        if i == -1:
            break
        ch = s[i]
        if ch == "\\":
            i += 1
            if i == len(s):
                return error_context(f"unfinished escape sequence in JS string: {go_quote(s)}"), len(s)
        elif ch == "$":
            if len(s) >= i + 2 and s[i + 1] == "{":
                return replace(c, state=JS), i + 2
        elif ch == "`":
            return replace(c, state=JS, js_ctx=JS_DIV_OP), i + 1
        k = i + 1
    return c, len(s)


def t_js_delimited(c: Context, s: str):
    specials = '\\"'
    if c.state == JS_SQ_STR:
        specials = "\\'"
    elif c.state == JS_REGEXP:
        specials = "\\/[]"
    k, in_charset = 0, False
    while True:
        i = _index_any(s, specials, k)
        if i == -1:
            break
        ch = s[i]
        if ch == "\\":
            i += 1
            if i == len(s):
                return error_context(f"unfinished escape sequence in JS string: {go_quote(s)}"), len(s)
        elif ch == "[":
            in_charset = True
        elif ch == "]":
            in_charset = False
        elif not in_charset:
            return replace(c, state=JS, js_ctx=JS_DIV_OP), i + 1
        k = i + 1
    if in_charset:
        return error_context(f"unfinished JS regexp charset: {go_quote(s)}"), len(s)
    return c, len(s)


def t_block_cmt(c: Context, s: str):
    i = s.find("*/")
    if i == -1:
        return c, len(s)
    return replace(c, state=JS if c.state == JS_BLOCK_CMT else CSS), i + 2


def t_line_cmt(c: Context, s: str):
    if c.state == CSS_LINE_CMT:
        terminators, end_state = "\n\f\r", CSS
    else:
        terminators, end_state = "\n\r\u2028\u2029", JS
    i = _index_any(s, terminators)
    if i == -1:
        return c, len(s)
    return replace(c, state=end_state), i


def _ends_with_css_keyword(b: str, keyword: str) -> bool:
    i = len(b) - len(keyword)
    if i < 0:
        return False
    if i != 0:
        ch = b[i - 1]
        if ch.isalnum() or ch in "-_" or ord(ch) >= 0x80:
            return False
    return b[i:].lower() == keyword


def t_css(c: Context, s: str):
    k = 0
    while True:
        i = _index_any(s, "(\"'/", k)
        if i == -1:
            return c, len(s)
        ch = s[i]
        if ch == "(":
            p = s[:i].rstrip("\t\n\f\r ")
            if _ends_with_css_keyword(p, "url"):
                rest = s[i + 1 :].lstrip("\t\n\f\r ")
                j = len(s) - len(rest)
                if j != len(s) and s[j] == '"':
                    return replace(c, state=CSS_DQ_URL), j + 1
                if j != len(s) and s[j] == "'":
                    return replace(c, state=CSS_SQ_URL), j + 1
                return replace(c, state=CSS_URL), j
        elif ch == "/":
            if i + 1 < len(s):
                if s[i + 1] == "/":
                    return replace(c, state=CSS_LINE_CMT), i + 2
                if s[i + 1] == "*":
                    return replace(c, state=CSS_BLOCK_CMT), i + 2
        elif ch == '"':
            return replace(c, state=CSS_DQ_STR), i + 1
        elif ch == "'":
            return replace(c, state=CSS_SQ_STR), i + 1
        k = i + 1


def t_css_str(c: Context, s: str):
    if c.state in (CSS_DQ_STR, CSS_DQ_URL):
        end_and_esc = '\\"'
    elif c.state in (CSS_SQ_STR, CSS_SQ_URL):
        end_and_esc = "\\'"
    else:
        end_and_esc = "\\\t\n\f\r )"
    k = 0
    while True:
        i = _index_any(s, end_and_esc, k)
        if i == -1:
            c2, nread = t_url(c, decode_css(s[k:]))
            return c2, k + nread
        if s[i] == "\\":
            i += 1
            if i == len(s):
                return error_context(f"unfinished escape sequence in CSS string: {go_quote(s)}"), len(s)
        else:
            return replace(c, state=CSS), i + 1
        c, _ = t_url(c, decode_css(s[: i + 1]))
        k = i + 1


def t_error(c: Context, s: str):
    return c, len(s)


TRANSITIONS = {
    TEXT: t_text, TAG: t_tag, ATTR_NAME: t_attr_name, AFTER_NAME: t_after_name, BEFORE_VALUE: t_before_value,
    HTML_CMT: t_html_cmt, RCDATA: t_special_tag_end, ATTR: t_attr, URL: t_url, SRCSET: t_url, JS: t_js,
    JS_DQ_STR: t_js_delimited, JS_SQ_STR: t_js_delimited, JS_TMPL_LIT: t_js_tmpl, JS_REGEXP: t_js_delimited,
    JS_BLOCK_CMT: t_block_cmt, JS_LINE_CMT: t_line_cmt, JS_HTML_OPEN_CMT: t_line_cmt,
    JS_HTML_CLOSE_CMT: t_line_cmt, CSS: t_css, CSS_DQ_STR: t_css_str, CSS_SQ_STR: t_css_str,
    CSS_DQ_URL: t_css_str, CSS_SQ_URL: t_css_str, CSS_URL: t_css_str, CSS_BLOCK_CMT: t_block_cmt,
    CSS_LINE_CMT: t_line_cmt, ERROR: t_error,
}

_DELIM_ENDS = {DELIM_DOUBLE: '"', DELIM_SINGLE: "'", DELIM_SPACE: " \t\n\f\r>"}

_JS_TYPES = {
    "application/ecmascript", "application/javascript", "application/json", "application/ld+json",
    "application/x-ecmascript", "application/x-javascript", "module", "text/ecmascript", "text/javascript",
    "text/javascript1.0", "text/javascript1.1", "text/javascript1.2", "text/javascript1.3",
    "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
    "text/x-javascript",
}


def _is_js_type(mime: str) -> bool:
    mime = mime.lower().split(";", 1)[0].strip()
    return mime in _JS_TYPES


def context_after_text(c: Context, s: str):
    if c.delim == DELIM_NONE:
        c1, i = t_special_tag_end(c, s)
        if i == 0:
            return c1, 0
        return TRANSITIONS[c.state](c, s[:i])
    i = _index_any(s, _DELIM_ENDS[c.delim])
    if i == -1:
        i = len(s)
    if c.delim == DELIM_SPACE:
        j = _index_any(s[:i], "\"'<=`")
        if j >= 0:
            return error_context(f"{go_quote(s[j])} in unquoted attr: {go_quote(s[:i])}"), len(s)
    if i == len(s):
        u = html_lib.unescape(s)
        while u:
            c1, i1 = TRANSITIONS[c.state](c, u)
            c, u = c1, u[i1:]
        return c, len(s)
    element = c.element
    if c.state == ATTR and c.element == EL_SCRIPT and c.attr == ATTR_SCRIPT_TYPE and not _is_js_type(s[:i]):
        element = EL_NONE
    if c.delim != DELIM_SPACE:
        i += 1
    return Context(state=TAG, element=element), i


def nudge(c: Context) -> Context:
    if c.state == TAG:
        return replace(c, state=ATTR_NAME)
    if c.state == BEFORE_VALUE:
        return replace(c, state=_ATTR_START[c.attr], delim=DELIM_SPACE, attr=ATTR_NONE)
    if c.state == AFTER_NAME:
        return replace(c, state=ATTR_NAME, attr=ATTR_NONE)
    return c


def join(a: Context, b: Context, node, node_name: str) -> Context:
    if a.state == ERROR:
        return a
    if b.state == ERROR:
        return b
    if a.state == DEAD:
        return b
    if b.state == DEAD:
        return a
    if a.eq(b):
        return a
    c = replace(a, url_part=b.url_part)
    if c.eq(b):
        return replace(c, url_part=URL_UNKNOWN)
    c = replace(a, js_ctx=b.js_ctx)
    if c.eq(b):
        return replace(c, js_ctx=JS_UNKNOWN)
    c, d = nudge(a), nudge(b)
    if not (c.eq(a) and d.eq(b)):
        e = join(c, d, node, node_name)
        if e.state != ERROR:
            return e
    return error_context(f"{{{{{node_name}}}}} branches end in different contexts: {a}, {b}", node)


# --- the escaper -----------------------------------------------------------------------------

PREDEFINED_ESCAPERS = {"html", "urlquery"}
EQUIV_ESCAPERS = {
    "_html_template_attrescaper": "html",
    "_html_template_htmlescaper": "html",
    "_html_template_rcdataescaper": "html",
    "_html_template_urlescaper": "urlquery",
    "_html_template_urlnormalizer": "urlquery",
}
REDUNDANT = {
    "_html_template_commentescaper": {"_html_template_attrescaper", "_html_template_nospaceescaper",
                                      "_html_template_htmlescaper"},
    "_html_template_cssescaper": {"_html_template_attrescaper"},
    "_html_template_jsregexpescaper": {"_html_template_attrescaper"},
    "_html_template_jsstrescaper": {"_html_template_attrescaper"},
    "_html_template_jstmpllitescaper": {"_html_template_attrescaper"},
    "_html_template_urlescaper": {"_html_template_urlnormalizer"},
}


def _normalize_esc(name: str) -> str:
    return EQUIV_ESCAPERS.get(name, name)


class _RangeContext:
    def __init__(self, outer: _RangeContext | None):
        self.outer = outer
        self.breaks: list[Context] = []
        self.continues: list[Context] = []


class Escaper:
    def __init__(self, template: HTMLTemplate):
        self.template = template
        self.output: dict[str, Context] = {}
        self.derived: dict[str, P.Tree] = {}
        self.called: set[str] = set()
        self.action_edits: dict[int, tuple] = {}
        self.template_edits: dict[int, tuple] = {}
        self.text_edits: dict[int, tuple] = {}
        self.range_context: _RangeContext | None = None

    def child(self) -> Escaper:
        e1 = Escaper(self.template)
        e1.range_context = self.range_context
        e1.output = dict(self.output)
        e1.derived = self.derived  # derived trees are shared: same name, same content
        return e1

    def lookup(self, name: str):
        tree = self.template.trees.get(name)
        if tree is not None and tree.root is not None:
            return tree
        return self.derived.get(name)

    def escape(self, c: Context, node) -> Context:
        if isinstance(node, P.ActionNode):
            return self.escape_action(c, node)
        if isinstance(node, P.BreakNode):
            assert self.range_context is not None, "the parser accepts break only inside range"
            self.range_context.breaks.append(replace(c, n=node))
            return Context(state=DEAD)
        if isinstance(node, P.ContinueNode):
            assert self.range_context is not None, "the parser accepts continue only inside range"
            self.range_context.continues.append(replace(c, n=node))
            return Context(state=DEAD)
        if isinstance(node, P.CommentNode):
            return c
        if isinstance(node, P.IfNode):
            return self.escape_branch(c, node, "if")
        if isinstance(node, P.ListNode):
            return self.escape_list(c, node)
        if isinstance(node, P.RangeNode):
            return self.escape_branch(c, node, "range")
        if isinstance(node, P.TemplateNode):
            return self.escape_template(c, node)
        if isinstance(node, P.TextNode):
            return self.escape_text(c, node)
        if isinstance(node, P.WithNode):
            return self.escape_branch(c, node, "with")
        raise AssertionError(f"escaping {node} is unimplemented")

    def escape_action(self, c: Context, node: P.ActionNode) -> Context:
        if node.pipe.decl:
            return c
        c = nudge(c)
        cmds = node.pipe.cmds
        for pos, cmd in enumerate(cmds):
            first = cmd.args[0]
            if not isinstance(first, P.IdentifierNode):
                continue
            ident = first.ident
            if ident in PREDEFINED_ESCAPERS:
                if pos < len(cmds) - 1 or (c.state == ATTR and c.delim == DELIM_SPACE and ident == "html"):
                    return error_context(f"predefined escaper {go_quote(ident)} disallowed in template", node, node.line)
        s: list[str] = []
        state = c.state
        if state == ERROR:
            return c
        if state in (URL, CSS_DQ_STR, CSS_SQ_STR, CSS_DQ_URL, CSS_SQ_URL, CSS_URL):
            if c.url_part == URL_NONE:
                s.append("_html_template_urlfilter")
            if c.url_part in (URL_NONE, URL_PRE_QUERY):
                if state in (CSS_DQ_STR, CSS_SQ_STR):
                    s.append("_html_template_cssescaper")
                else:
                    s.append("_html_template_urlnormalizer")
            elif c.url_part == URL_QUERY_OR_FRAG:
                s.append("_html_template_urlescaper")
            else:
                return error_context(f"{node} appears in an ambiguous context within a URL", node, node.line)
        elif state == JS:
            s.append("_html_template_jsvalescaper")
            c = replace(c, js_ctx=JS_DIV_OP)
        elif state in (JS_DQ_STR, JS_SQ_STR):
            s.append("_html_template_jsstrescaper")
        elif state == JS_TMPL_LIT:
            s.append("_html_template_jstmpllitescaper")
        elif state == JS_REGEXP:
            s.append("_html_template_jsregexpescaper")
        elif state == CSS:
            s.append("_html_template_cssvaluefilter")
        elif state == TEXT:
            s.append("_html_template_htmlescaper")
        elif state == RCDATA:
            s.append("_html_template_rcdataescaper")
        elif state == ATTR:
            pass
        elif state in (ATTR_NAME, TAG):
            c = replace(c, state=ATTR_NAME)
            s.append("_html_template_htmlnamefilter")
        elif state == SRCSET:
            s.append("_html_template_srcsetescaper")
        elif is_comment(state):
            s.append("_html_template_commentescaper")
        else:
            raise AssertionError("unexpected state " + STATES[state])
        if c.delim == DELIM_SPACE:
            s.append("_html_template_nospaceescaper")
        elif c.delim != DELIM_NONE:
            s.append("_html_template_attrescaper")
        self.action_edits[id(node)] = (node, s)
        return c

    def escape_branch(self, c: Context, node: P.BranchNode, name: str) -> Context:
        if name != "range":
            c0 = self.escape_list(c, node.list)
        else:
            range_context = self.range_context = _RangeContext(self.range_context)
            c0 = self.escape_list(c, node.list)
            if c0.state != ERROR:
                c0 = join_range(c0, range_context)
            self.range_context = range_context.outer
            if c0.state == ERROR:
                return c0
            range_context = self.range_context = _RangeContext(self.range_context)
            c1, _ = self.escape_list_conditionally(c0, node.list, None)
            c0 = join(c0, c1, node, name)
            if c0.state == ERROR:
                self.range_context = range_context.outer
                err = c0.error()
                return replace(c0, err=EscapeError("on range loop re-entry: " + err.description, err.node, node.line))
            c0 = join_range(c0, range_context)
            self.range_context = range_context.outer
            if c0.state == ERROR:
                return c0
        c1 = self.escape_list(c, node.else_list)
        return join(c0, c1, node, name)

    def escape_list(self, c: Context, node) -> Context:
        if node is None:
            return c
        for child in node.nodes:
            c = self.escape(c, child)
            if c.state == DEAD:
                break
        return c

    def escape_list_conditionally(self, c: Context, node, accept):
        e1 = self.child()
        c = e1.escape_list(c, node)
        ok = accept is not None and accept(e1, c)
        if ok:
            self.output.update(e1.output)
            self.called |= e1.called
            self.action_edits.update(e1.action_edits)
            self.template_edits.update(e1.template_edits)
            self.text_edits.update(e1.text_edits)
        return c, ok

    def escape_template(self, c: Context, node: P.TemplateNode) -> Context:
        c, name = self.escape_tree(c, node, node.name, node.line)
        if name != node.name:
            self.template_edits[id(node)] = (node, name)
        return c

    def escape_tree(self, c: Context, node, name: str, line: int):
        dname = c.mangle(name)
        self.called.add(dname)
        if dname in self.output:
            return self.output[dname], dname
        tree = self.lookup(name)
        if tree is None:
            if name in self.template.trees:
                return error_context(f"{go_quote(name)} is an incomplete or empty template", node, line), dname
            return error_context(f"no such template {go_quote(name)}", node, line), dname
        if dname != name:
            derived = self.lookup(dname)
            if derived is None:
                derived = P.Tree(dname, tree.parse_name, tree.text, copy.deepcopy(tree.root))
                self.derived[dname] = derived
            tree = derived
        return self.compute_out_ctx(c, tree, dname), dname

    def compute_out_ctx(self, c: Context, tree, name: str) -> Context:
        c1, ok = self.escape_template_body(c, tree, name)
        if not ok:
            c2, ok2 = self.escape_template_body(c1, tree, name)
            if ok2:
                c1, ok = c2, True
        if not ok and c1.state != ERROR:
            return error_context(f"cannot compute output context for template {name}", tree.root)
        return c1

    def escape_template_body(self, c: Context, tree, name: str):
        def accept(e1, c1):
            if c1.state == ERROR:
                return False
            if name not in e1.called:
                return True
            return c.eq(c1)

        self.output[name] = c
        return self.escape_list_conditionally(c, tree.root, accept)

    def escape_text(self, c: Context, node: P.TextNode) -> Context:
        s = node.text
        written, i = 0, 0
        out: list[str] = []
        while i != len(s):
            c1, nread = context_after_text(c, s[i:])
            i1 = i + nread
            if c.state in (TEXT, RCDATA):
                end = i1
                if c1.state != c.state:
                    for j in range(end - 1, i - 1, -1):
                        if s[j] == "<":
                            end = j
                            break
                for j in range(i, end):
                    if s[j] == "<" and not s[j:].upper().startswith("<!DOCTYPE"):
                        out.append(s[written:j])
                        out.append("&lt;")
                        written = j + 1
            elif is_comment(c.state) and c.delim == DELIM_NONE:
                if c.state == JS_BLOCK_CMT:
                    out.append("\n" if any(ch in s[written:i1] for ch in "\n\r\u2028\u2029") else " ")
                elif c.state == CSS_BLOCK_CMT:
                    out.append(" ")
                written = i1
            if c.state != c1.state and is_comment(c1.state) and c1.delim == DELIM_NONE:
                cs = i1 - 2
                if c1.state in (HTML_CMT, JS_HTML_OPEN_CMT):
                    cs -= 2
                elif c1.state == JS_HTML_CLOSE_CMT:
                    cs -= 1
                out.append(s[written:cs])
                written = i1
            if i == i1 and c.state == c1.state:
                raise AssertionError(f"infinite loop from {c} to {c1}")
            c, i = c1, i1
        if written != 0 and c.state != ERROR:
            if not is_comment(c.state) or c.delim != DELIM_NONE:
                out.append(node.text[written:])
            self.text_edits[id(node)] = (node, "".join(out))
        return c

    def commit(self):
        for name, tree in self.derived.items():
            self.template.trees.setdefault(name, tree)
        for node, escapers in self.action_edits.values():
            ensure_pipeline_contains(node.pipe, escapers)
        for node, name in self.template_edits.values():
            node.name = name
        for node, text in self.text_edits.values():
            node.text = text
        self.called = set()
        self.action_edits, self.template_edits, self.text_edits = {}, {}, {}


def join_range(c0: Context, rc: _RangeContext) -> Context:
    for c in rc.breaks:
        assert c.n is not None, "a recorded break context carries its node"
        c0 = join(c0, c, c.n, "range")
        if c0.state == ERROR:
            err = c0.error()
            return replace(c0, err=EscapeError("at range loop break: " + err.description, err.node, c.n.line))
    for c in rc.continues:
        assert c.n is not None, "a recorded continue context carries its node"
        c0 = join(c0, c, c.n, "range")
        if c0.state == ERROR:
            err = c0.error()
            return replace(c0, err=EscapeError("at range loop continue: " + err.description, err.node, c.n.line))
    return c0


def _ident_cmd(name: str, pos: int) -> P.CommandNode:
    return P.CommandNode(pos, [P.IdentifierNode(pos, name)])


def _append_cmd(cmds: list, cmd: P.CommandNode) -> list:
    if cmds:
        last, nxt = cmds[-1].args[0], cmd.args[0]
        if isinstance(last, P.IdentifierNode) and isinstance(nxt, P.IdentifierNode):
            if nxt.ident in REDUNDANT.get(last.ident, ()):
                return cmds
    cmds.append(cmd)
    return cmds


def ensure_pipeline_contains(pipe: P.PipeNode, s: list[str]):
    if not s:
        return
    s = list(s)
    pipeline_len = len(pipe.cmds)
    if pipeline_len:
        last = pipe.cmds[-1]
        first = last.args[0]
        if isinstance(first, P.IdentifierNode) and first.ident in PREDEFINED_ESCAPERS:
            esc = first.ident
            if len(pipe.cmds) == 1 and len(last.args) > 1:
                last.args[0] = P.IdentifierNode(first.pos, "_eval_args_")
                pipe.cmds = _append_cmd(pipe.cmds, _ident_cmd(esc, pipe.pos))
                pipeline_len += 1
            dup = False
            for i, name in enumerate(s):
                if _normalize_esc(esc) == _normalize_esc(name):
                    s[i] = esc
                    dup = True
            if dup:
                pipeline_len -= 1
    new_cmds = list(pipe.cmds[:pipeline_len])
    inserted = set()
    for cmd in new_cmds:
        if isinstance(cmd.args[0], P.IdentifierNode):
            inserted.add(_normalize_esc(cmd.args[0].ident))
    for name in s:
        if _normalize_esc(name) not in inserted:
            new_cmds = _append_cmd(new_cmds, _ident_cmd(name, pipe.pos))
    pipe.cmds = new_cmds


# --- escaping functions ------------------------------------------------------------------------


def stringify(args: list) -> tuple[str, int]:
    if len(args) == 1 and args[0] is not None and args[0].t.kind == "string":
        value = args[0]
        if value.t is HTML_JS:
            return value.v, CT_JS
        return value.v, CT_PLAIN
    return sprint([a for a in args if a is not None]), CT_PLAIN


def _table_replace(s: str, table: dict, bad_runes: bool) -> str:
    """Go's htmlReplacer: each character in `table` replaced; without `bad_runes`, the
    noncharacters U+FDD0-U+FDEF and U+FFF0-U+FFFF written as hex references."""
    plan = _REPLACEMENT_PLANS.get(id(table))
    if plan is None or plan[0] is not table:
        plan = _REPLACEMENT_PLANS[id(table)] = (table, _replacement_order(table))
    order = plan[1]
    if order is None or (not bad_runes and not s.isascii() and _NONCHARACTER(s) is not None):
        return _table_replace_by_character(s, table, bad_runes)
    for ch, replacement in order:
        if ch in s:
            s = s.replace(ch, replacement)
    return s


_REPLACEMENT_PLANS: dict[int, tuple[dict, list | None]] = {}
_NONCHARACTER = re.compile("[\ufdd0-\ufdef\ufff0-\uffff]").search


def _replacement_order(table: dict) -> list | None:
    """The table's (character, replacement) pairs in an order where chained str.replace
    equals one pass: a character that occurs in another's replacement is replaced before it
    (None if no such order exists)."""
    remaining = dict(table)
    order = []
    while remaining:
        ready = [ch for ch, repl in remaining.items()
                 if not any(other != ch and other in repl for other in remaining)]
        if not ready:
            return None
        for ch in ready:
            order.append((ch, remaining.pop(ch)))
    return order


def _table_replace_by_character(s: str, table: dict, bad_runes: bool) -> str:
    """The reference `_table_replace` (one character at a time)."""
    out = []
    for ch in s:
        if ch in table:
            out.append(table[ch])
        elif bad_runes:
            out.append(ch)
        elif 0xFDD0 <= ord(ch) <= 0xFDEF or 0xFFF0 <= ord(ch) <= 0xFFFF:
            out.append(f"&#x{ord(ch):x};")
        else:
            out.append(ch)
    return "".join(out)


HTML_TABLE = {"\0": "\ufffd", '"': "&#34;", "&": "&amp;", "'": "&#39;", "+": "&#43;", "<": "&lt;", ">": "&gt;"}
HTML_NORM_TABLE = {k: v for k, v in HTML_TABLE.items() if k != "&"}


def escape_html_text(s: str) -> str:
    """What html/template's HTML-text escaper writes for a plain (not template.HTML) string;
    character by character, so the escape of a concatenation is the concatenation of escapes."""
    return _table_replace(s, HTML_TABLE, True)
HTML_NOSPACE_TABLE = {
    "\0": "&#xfffd;", "\t": "&#9;", "\n": "&#10;", "\v": "&#11;", "\f": "&#12;", "\r": "&#13;", " ": "&#32;",
    '"': "&#34;", "&": "&amp;", "'": "&#39;", "+": "&#43;", "<": "&lt;", "=": "&#61;", ">": "&gt;", "`": "&#96;",
}
HTML_NOSPACE_NORM_TABLE = {k: v for k, v in HTML_NOSPACE_TABLE.items() if k != "&"}


def _strip_tags(s: str) -> str:
    # Only values typed template.HTML have tags stripped; alert data never carries that type.
    return s


def html_escaper(*args):
    s, t = stringify(list(args))
    if t == CT_HTML:
        return GV(STRING, s)
    return GV(STRING, _table_replace(s, HTML_TABLE, True))


def attr_escaper(*args):
    s, t = stringify(list(args))
    if t == CT_HTML:
        return GV(STRING, _table_replace(_strip_tags(s), HTML_NORM_TABLE, True))
    return GV(STRING, _table_replace(s, HTML_TABLE, True))


def rcdata_escaper(*args):
    s, t = stringify(list(args))
    if t == CT_HTML:
        return GV(STRING, _table_replace(s, HTML_NORM_TABLE, True))
    return GV(STRING, _table_replace(s, HTML_TABLE, True))


def nospace_escaper(*args):
    s, t = stringify(list(args))
    if s == "":
        return GV(STRING, FILTER_FAILSAFE)
    if t == CT_HTML:
        return GV(STRING, _table_replace(_strip_tags(s), HTML_NOSPACE_NORM_TABLE, False))
    return GV(STRING, _table_replace(s, HTML_NOSPACE_TABLE, False))


def html_name_filter(*args):
    s, t = stringify(list(args))
    if t == CT_HTML_ATTR:
        return GV(STRING, s)
    if not s:
        return GV(STRING, FILTER_FAILSAFE)
    s = s.lower()
    if attr_type(s) != CT_PLAIN:
        return GV(STRING, FILTER_FAILSAFE)
    for ch in s:
        if not ("0" <= ch <= "9" or "a" <= ch <= "z"):
            return GV(STRING, FILTER_FAILSAFE)
    return GV(STRING, s)


def comment_escaper(*args):
    return GV(STRING, "")


def _is_safe_url(s: str) -> bool:
    if ":" in s:
        protocol = s.split(":", 1)[0]
        if "/" not in protocol:
            if protocol.lower() not in ("http", "https", "mailto"):
                return False
    return True


def url_filter(*args):
    s, t = stringify(list(args))
    if t == CT_URL:
        return GV(STRING, s)
    if not _is_safe_url(s):
        return GV(STRING, "#" + FILTER_FAILSAFE)
    return GV(STRING, s)


def _is_hex(ch: int) -> bool:
    return chr(ch) in "0123456789abcdefABCDEF"


def process_url(s: str, norm: bool) -> str:
    data = s.encode("utf-8", "surrogateescape")
    out = []
    written = 0
    n = len(data)
    for i in range(n):
        c = data[i]
        ch = chr(c)
        if ch in "!#$&*+,/:;=?@[]":
            if norm:
                continue
        elif ch in "-._~":
            continue
        elif ch == "%":
            if norm and i + 2 < n and _is_hex(data[i + 1]) and _is_hex(data[i + 2]):
                continue
        elif "a" <= ch <= "z" or "A" <= ch <= "Z" or "0" <= ch <= "9":
            continue
        out.append(data[written:i])
        out.append(b"%%%02x" % c)
        written = i + 1
    out.append(data[written:])
    return b"".join(out).decode("utf-8", "surrogateescape")


def url_escaper(*args):
    s, t = stringify(list(args))
    return GV(STRING, process_url(s, t == CT_URL))


def url_normalizer(*args):
    s, _ = stringify(list(args))
    return GV(STRING, process_url(s, True))


def srcset_escaper(*args):
    s, _ = stringify(list(args))
    return GV(STRING, process_url(s, False))


JS_STR_TABLE = {
    "\0": "\\u0000", "\t": "\\t", "\n": "\\n", "\v": "\\u000b", "\f": "\\f", "\r": "\\r", '"': "\\u0022",
    "`": "\\u0060", "&": "\\u0026", "'": "\\u0027", "+": "\\u002b", "/": "\\/", "<": "\\u003c", ">": "\\u003e",
    "\\": "\\\\",
}
JS_BQ_STR_TABLE = dict(JS_STR_TABLE, **{"$": "\\u0024", "{": "\\u007b", "}": "\\u007d"})
JS_REGEXP_TABLE = dict(JS_STR_TABLE, **{
    "$": "\\$", "(": "\\(", ")": "\\)", "*": "\\*", "-": "\\-", ".": "\\.", "?": "\\?", "[": "\\[", "]": "\\]",
    "^": "\\^", "{": "\\{", "|": "\\|", "}": "\\}",
})


def _js_replace(s: str, table: dict) -> str:
    out = []
    for ch in s:
        if ch in table:
            out.append(table[ch])
        elif ch == "\u2028":
            out.append("\\u2028")
        elif ch == "\u2029":
            out.append("\\u2029")
        else:
            out.append(ch)
    return "".join(out)


def js_str_escaper(*args):
    s, t = stringify(list(args))
    if t == CT_JS_STR:
        table = {k: v for k, v in JS_STR_TABLE.items() if k != "\\"}
        return GV(STRING, _js_replace(s, table))
    return GV(STRING, _js_replace(s, JS_STR_TABLE))


def js_tmpl_lit_escaper(*args):
    s, _ = stringify(list(args))
    return GV(STRING, _js_replace(s, JS_BQ_STR_TABLE))


def js_regexp_escaper(*args):
    s, _ = stringify(list(args))
    s = _js_replace(s, JS_REGEXP_TABLE)
    return GV(STRING, s or "(?:)")


def js_val_escaper(*args):

    args = list(args)
    if len(args) == 1:
        value = args[0]
        if value is not None and value.t is HTML_JS:
            return GV(STRING, value.v)
        if value is not None and value.t.name != "time.Time" and has_string_method(value.t):
            value = GV(STRING, call_string_method(value))
        target = value
    else:
        target = GV(STRING, sprint([a for a in args if a is not None]))
    try:
        text = dumps(to_json_value(target))
    except GoJSONError as err:
        return GV(STRING, f" /* {str(err).replace('*/', '* /')} */null ")
    if not text:
        return GV(STRING, " null ")
    pad = _is_js_ident_part(text[0]) or _is_js_ident_part(text[-1])
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if pad:
        text = " " + text + " "
    return GV(STRING, text)


def decode_css(s: str) -> str:
    if "\\" not in s:
        return s
    out = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch != "\\" or i + 1 >= len(s):
            out.append(ch)
            i += 1
            continue
        j = i + 1
        hex_digits = ""
        while j < len(s) and len(hex_digits) < 6 and s[j] in "0123456789abcdefABCDEF":
            hex_digits += s[j]
            j += 1
        if hex_digits:
            code = int(hex_digits, 16)
            out.append(chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd")
            if j < len(s) and s[j] in " \t\n\f\r":
                j += 1
            i = j
        else:
            out.append(s[i + 1])
            i += 2
    return "".join(out)


def _is_css_nmchar(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9") or ch in "-_" or ord(ch) >= 0x80


def css_value_filter(*args):
    s, t = stringify(list(args))
    if t == CT_CSS:
        return GV(STRING, s)
    b = decode_css(s)
    ident = []
    for i, ch in enumerate(b):
        if ch in "\0\"'()/;@[\\]`{}<>":
            return GV(STRING, FILTER_FAILSAFE)
        if ch == "-":
            if i != 0 and b[i - 1] == "-":
                return GV(STRING, FILTER_FAILSAFE)
        elif ord(ch) < 0x80 and _is_css_nmchar(ch):
            ident.append(ch)
    ident_text = "".join(ident).lower()
    if "expression" in ident_text or "mozbinding" in ident_text:
        return GV(STRING, FILTER_FAILSAFE)
    return GV(STRING, b)


_CSS_TABLE = {
    "\0": "\\0", "\t": "\\9", "\n": "\\a", "\f": "\\c", "\r": "\\d", '"': "\\22", "&": "\\26", "'": "\\27",
    "(": "\\28", ")": "\\29", "+": "\\2b", "/": "\\2f", ":": "\\3a", ";": "\\3b", "<": "\\3c", ">": "\\3e",
    "\\": "\\\\", "{": "\\7b", "}": "\\7d",
}


def css_escaper(*args):
    s, _ = stringify(list(args))
    out = []
    for i, ch in enumerate(s):
        repl = _CSS_TABLE.get(ch)
        if repl is None:
            out.append(ch)
            continue
        out.append(repl)
        if repl != "\\\\" and i + 1 < len(s) and (s[i + 1] in "0123456789abcdefABCDEF" or s[i + 1] in " \t\n\f\r"):
            out.append(" ")
    return GV(STRING, "".join(out))


def eval_args_func(*args):
    args = list(args)
    if len(args) == 1 and args[0] is not None and args[0].t.name == "string":
        return GV(STRING, args[0].v)
    return GV(STRING, sprint(args))


def _escaper(name, impl):
    return Func(name, [EMPTY_INTERFACE], [STRING], impl, variadic=True)


ESCAPER_FUNCS = {
    "_html_template_attrescaper": _escaper("_html_template_attrescaper", attr_escaper),
    "_html_template_commentescaper": _escaper("_html_template_commentescaper", comment_escaper),
    "_html_template_cssescaper": _escaper("_html_template_cssescaper", css_escaper),
    "_html_template_cssvaluefilter": _escaper("_html_template_cssvaluefilter", css_value_filter),
    "_html_template_htmlnamefilter": _escaper("_html_template_htmlnamefilter", html_name_filter),
    "_html_template_htmlescaper": _escaper("_html_template_htmlescaper", html_escaper),
    "_html_template_jsregexpescaper": _escaper("_html_template_jsregexpescaper", js_regexp_escaper),
    "_html_template_jsstrescaper": _escaper("_html_template_jsstrescaper", js_str_escaper),
    "_html_template_jstmpllitescaper": _escaper("_html_template_jstmpllitescaper", js_tmpl_lit_escaper),
    "_html_template_jsvalescaper": _escaper("_html_template_jsvalescaper", js_val_escaper),
    "_html_template_nospaceescaper": _escaper("_html_template_nospaceescaper", nospace_escaper),
    "_html_template_rcdataescaper": _escaper("_html_template_rcdataescaper", rcdata_escaper),
    "_html_template_srcsetescaper": _escaper("_html_template_srcsetescaper", srcset_escaper),
    "_html_template_urlescaper": _escaper("_html_template_urlescaper", url_escaper),
    "_html_template_urlfilter": _escaper("_html_template_urlfilter", url_filter),
    "_html_template_urlnormalizer": _escaper("_html_template_urlnormalizer", url_normalizer),
    "_eval_args_": _escaper("_eval_args_", eval_args_func),
}


class HTMLTemplate(TextTemplate):
    """A parsed html/template: escaped on first execution, like Go's."""

    def __init__(self, name: str, text: str, extra_funcs=None):
        super().__init__(name, text, extra_funcs)
        self.escape_error: str | None = None
        self.escaped = False

    def _escape(self):
        escaper = Escaper(self)
        tree = self.trees[self.name]
        c, _ = escaper.escape_tree(Context(), tree.root, self.name, 0)
        message = None
        if c.err is not None:
            message = _error_text(c.err, self.name, self.trees[self.name])
        elif c.state != TEXT:
            message = f"html/template:{self.name}: ends in a non-text context: {c}"
        if message is not None:
            self.escape_error = message
            return
        escaper.commit()
        self.funcs.update(ESCAPER_FUNCS)

    def execute(self, data) -> str:
        if not self.escaped:
            self.escaped = True
            self._escape()
        if self.escape_error is not None:
            raise ExecError(self.escape_error)
        return super().execute(data)


def _error_text(err: EscapeError, name: str, tree) -> str:
    if err.node is not None:
        return f"html/template:{error_location(tree, err.node)}: {err.description}"
    if err.line:
        return f"html/template:{name}:{err.line}: {err.description}"
    return f"html/template:{name}: {err.description}"
