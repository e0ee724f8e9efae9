"""Kapacitor's canonical TICKscript layout (what `tickfmt` / tick.Format print), byte for byte.

Each node writes itself given the current indent and whether the output is at the start of
a line, exactly as Kapacitor's Format methods do: chains put each link on its own line,
indented 4 spaces (8 for a property method); calls whose arguments were written on several
lines keep one argument per line; comments are re-indented with `// `.

`format_program` departs from those bytes only where Kapacitor's own output would not read back
as the same script or would not format to itself (tickfmt run twice changes it); `_Stable` says
where and why. `format_node`/`format_expression` (a lambda as Kapacitor's DOT shows it) keep
Kapacitor's bytes always.
"""

from __future__ import annotations

from tickpy.golang.goformat import format_float_f
from tickpy.syntax import ast
from tickpy.syntax.parser import parse

INDENT_STEP = "    "


def float_literal(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'f', -1, 64), plus ".0" when there is no point."""
    text = format_float_f(value)
    if "." not in text:
        text += ".0"
    return text


def format_number(node: ast.NumberLiteral) -> str:
    if node.is_int:
        if node.base == 8:
            return "0" + format(node.int_value, "o")
        return str(node.int_value)
    return float_literal(node.float_value)


class _CommentText(str):
    """A comment as written, so that the writer knows what the lexer will read after it."""


# After these characters Kapacitor's lexer reads `/` and `*` as operators (division,
# multiplication): they end a name, a keyword (`lambda:` too), a number, a duration, a string,
# a reference or a `)`.
def _operator_follows(ch: str) -> bool:
    return ch.isalnum() or ch in "_)'\":"


class _Stable:
    """Layout decisions that make `format_program` a fixed point, fmt(fmt(x)) == fmt(x), whose
    output reads back as the script x is. Where Kapacitor's output does both, it is unchanged.

    - Line breaks. Kapacitor breaks the line after a binary operator when the source has a
      newline between the start of its left operand (the operator, for a binary one) and the
      start of its right operand (idem), and writes a call one argument per line when there is
      one between its name and the start of its last argument. Its own output adds newlines (a
      broken operator, a chain inside an argument, a moved comment) that a second reading
      counts. Here a flag is also set when the output has such a newline anyway. The newlines
      of a chain written as an argument (pre-0.13 `.mapReduce(influxql.last('value'))`, which
      Kapacitor breaks before `.last`) never make a call multi-line: Kapacitor's first pass is
      the conformance answer, and so it reads back as itself.
    - Comments. After `=`, `=~` and `!~` Kapacitor's lexer reads `//` as a regex: comments an
      operand would begin with there go before the declaration or the operator expression. The
      comment of an operator expression goes to its left operand, which takes it when read back.
    - Parentheses (`wrapped`, and `_Writer.needs_parentheses` while writing). Where the lexer
      would read a regex or `*` as an operator (after a name, a number, a string, `)`,
      `lambda:`), or a regex as more comment (on the line after a comment); a regex or `*`
      followed by an operator other than `-`, AND and OR; a unary operator, or a call inside an
      operator expression, right after a comment (Kapacitor's parser drops the comment, but
      gives one before `(` to what the parentheses hold); a statement beginning with `-` after
      one that takes it as a minus; the name ending a statement followed by one beginning with
      `(`, which would call it."""

    def __init__(self, program: ast.Program):
        self.multiline: dict[int, bool] = {}
        self.wrapped: set[int] = set()
        self.drops_comment: set[int] = set()  # calls whose parser takes no comment (`lfunction`)
        # The comments written before a node, where they are not just its own.
        self.comment_lists: dict[int, list[ast.Comment]] = {}
        nodes = list(ast.walk(program))
        # In this order: where comments go decides wraps, and both decide line breaks.
        self._comments_after_regex_lexing(nodes)
        self._operator_comments_to_operands(nodes)
        self._operands_before_operators(nodes)
        self._statement_boundaries(program.statements)
        self._line_breaks(nodes)
        self._operator_calls(program.statements)

    def comments(self, node: ast.Node) -> list[ast.Comment]:
        """The comments written before `node`, in order."""
        comments = self.comment_lists.get(id(node))
        if comments is not None:
            return comments
        comment = getattr(node, "comment", None)
        return [comment] if comment is not None else []

    def _take_comments(self, node: ast.Node) -> list[ast.Comment]:
        comments = self.comments(node)
        self.comment_lists[id(node)] = []
        return comments

    def _comments_after_regex_lexing(self, nodes: list[ast.Node]) -> None:
        """After `=`, `=~` and `!~` Kapacitor's lexer reads `/` as the start of a regex, so the
        comments a declaration's value or such an operator's right operand would begin with are
        written before the declaration or the operator expression instead."""
        for node in reversed(nodes):  # an operand's comments first, then its parent's
            if isinstance(node, ast.Declaration):
                self._move_leading_comments(node.value, node)
            elif isinstance(node, ast.Binary) and node.operator in ("=~", "!~"):
                self._move_leading_comments(node.right, node)

    def _move_leading_comments(self, node: ast.Node, to: ast.Node) -> None:
        node = _leftmost(node)  # a chain's own comment is written before its operator
        moved = list(self.comments(to))
        while True:
            moved += self._take_comments(node)
            if not isinstance(node, ast.Binary) or node.parens:
                break
            node = node.left
        self.comment_lists[id(to)] = moved

    def _operator_comments_to_operands(self, nodes: list[ast.Node]) -> None:
        """The comment of an operator expression without parentheses is written before its left
        operand, which Kapacitor's parser then gives it to; written there, as that operand's,
        the output reads back as itself."""
        for node in nodes:  # parents first: comments travel down to the leftmost operand
            if isinstance(node, ast.Binary) and not node.parens:
                comments = self._take_comments(node)
                if comments:
                    self.comment_lists[id(node.left)] = comments + self.comments(node.left)

    def _operands_before_operators(self, nodes: list[ast.Node]) -> None:
        """After a regex or `*` Kapacitor's lexer takes no operator but `-`, `AND` and `OR`."""
        for node in nodes:
            if isinstance(node, ast.Binary) and node.operator not in ("-", "AND", "OR"):
                last = _last_operand(node.left)
                if isinstance(last, (ast.RegexLiteral, ast.Star)):
                    self.wrapped.add(id(last))

    def _line_breaks(self, nodes: list[ast.Node]) -> None:
        has_newline: dict[int, bool] = {}  # the node's text, its comments included
        inner: dict[int, bool] = {}  # the node's text after its comments
        multiline = self.multiline
        for node in reversed(nodes):  # every child before its parent
            if isinstance(node, ast.Binary):
                left, right = node.left, node.right
                if isinstance(left, ast.Binary):
                    after_left = multiline[id(left)] or has_newline[id(left.right)]
                else:
                    after_left = inner[id(left)]
                before_right = bool(self.comments(right)) or (
                    isinstance(right, ast.Binary) and has_newline[id(right.left)]
                )
                broken = node.multiline or after_left or before_right
                multiline[id(node)] = broken
                text = broken or has_newline[id(left)] or has_newline[id(right)]
            elif isinstance(node, ast.Function):
                args = node.args
                broken = bool(args) and (
                    _written_multiline(node)
                    or any(self._newline_before_call_end(arg, has_newline) for arg in args[:-1])
                    or self._newline_before_position(args[-1], has_newline)
                )
                multiline[id(node)] = broken
                text = broken or any(has_newline[id(arg)] for arg in args)
            elif isinstance(node, ast.Chain):
                text = True
            elif isinstance(node, ast.Unary):
                text = has_newline[id(node.operand)]
            elif isinstance(node, ast.Lambda):
                text = has_newline[id(node.expression)]
            elif isinstance(node, ast.ListLiteral):
                text = any(has_newline[id(element)] for element in node.elements)
            elif isinstance(node, ast.StringLiteral):
                text = "\n" in node.value
            elif isinstance(node, ast.RegexLiteral):
                text = "\n" in node.literal
            elif isinstance(node, ast.Reference):
                text = "\n" in node.name
            else:
                text = False
            inner[id(node)] = text
            has_newline[id(node)] = text or bool(self.comments(node))

    def _newline_before_call_end(self, arg: ast.Node, has_newline: dict[int, bool]) -> bool:
        """Whether the output has a newline that Kapacitor counts in an argument before the last."""
        if isinstance(arg, ast.Chain):
            return bool(self.comments(_leftmost(arg)))
        return has_newline[id(arg)]

    def _newline_before_position(self, arg: ast.Node, has_newline: dict[int, bool]) -> bool:
        """Whether the output has a newline before where Kapacitor says the last argument is."""
        if isinstance(arg, ast.Chain):
            return bool(self.comments(_leftmost(arg)))
        if self.comments(arg):
            return True
        return isinstance(arg, ast.Binary) and has_newline[id(arg.left)]

    def _statement_boundaries(self, statements: list) -> None:
        """Statements are separated by blank lines only, so where one ends and the next begins
        is for Kapacitor's parser to find: after one that can go on with an operator (see
        `_continues_with_operator`), a `-` continues it; after a name, `(` makes a call."""
        for index in range(len(statements) - 1, 0, -1):  # a statement's wraps decide its start
            previous, statement = statements[index - 1], statements[index]
            first = _first_operand(statement)
            continues = _continues_with_operator(previous)
            if continues and isinstance(first, ast.Unary) and first.operator == "-":
                self.wrapped.add(id(first))
            last = _last_operand(previous) if continues else previous
            ends_with_name = isinstance(last, ast.Identifier) or (
                isinstance(last, ast.Chain) and isinstance(last.right, ast.Identifier)
            )
            if not ends_with_name:
                continue
            if isinstance(first, ast.Unary) and id(first) not in self.wrapped:
                # Kapacitor's parser drops a comment before a unary operator; parentheses that
                # would keep it would make a call of the name.
                self.comment_lists[id(first)] = []
            if (
                id(first) in self.wrapped
                or isinstance(first, ast.RegexLiteral)
                or (isinstance(first, ast.Star) and not self.comments(first))
                or (isinstance(first, ast.Binary) and first.parens)
            ):  # written beginning with `(` (see `_Writer.needs_parentheses`)
                self.wrapped.add(id(last))

    def _operator_calls(self, statements: list) -> None:
        """Kapacitor parses a call inside an operator expression (a lambda, an operand, within
        parentheses) with `lfunction`, which takes no comment; a call reached from a statement,
        an argument of such a call or a chain (`function`) takes its comment, as does the call
        an expression starts with before its operators."""
        pending: list[tuple[ast.Node, bool]] = [(statement, True) for statement in statements]
        while pending:
            node, takes_comment = pending.pop()
            if isinstance(node, ast.Declaration):
                pending.append((node.value, True))
            elif isinstance(node, ast.Chain):
                pending.append((node.left, True))
                pending.append((node.right, True))
            elif isinstance(node, ast.Function):
                if not takes_comment:
                    self.drops_comment.add(id(node))
                pending.extend((arg, takes_comment) for arg in node.args)
            elif isinstance(node, ast.Binary):
                pending.append((node.left, takes_comment and not node.parens))
                pending.append((node.right, False))
            elif isinstance(node, ast.Unary):
                pending.append((node.operand, False))
            elif isinstance(node, ast.Lambda):
                pending.append((node.expression, False))


def _leftmost(node: ast.Node) -> ast.Node:
    while isinstance(node, ast.Chain):
        node = node.left
    return node


def _written_multiline(call: ast.Function) -> bool:
    """Kapacitor's rule for a call written one argument per line (a newline between the name
    and the start of the last argument, see `_Stable`), not counting newlines inside chain
    arguments."""
    if not any(isinstance(arg, ast.Chain) for arg in call.args):
        return call.multiline
    line = call.span.line
    for arg in call.args:
        if isinstance(arg, ast.Chain):
            if arg.span.line != line:
                return True
            line = arg.span.end_line
    last = call.args[-1]
    if isinstance(last, ast.Chain):
        return False
    position = last.span
    if isinstance(last, ast.Binary) and last.operator_span is not None:
        position = last.operator_span
    return position.line != line


def _continues_with_operator(statement: ast.Node) -> bool:
    """Whether Kapacitor's parser, after this statement, reads a following `-` as a binary
    minus continuing it (a chain, a list or a declaration without value ends without it)."""
    if isinstance(statement, ast.Declaration):
        statement = statement.value
    return not isinstance(statement, (ast.Chain, ast.ListLiteral, ast.TypeDeclaration, ast.DBRP))


def _first_operand(node: ast.Node) -> ast.Node:
    """The node whose text begins the statement's text (after comments)."""
    while isinstance(node, ast.Binary) and not node.parens:
        node = node.left
    return node


def _last_operand(node: ast.Node) -> ast.Node:
    """The node whose text ends the statement's text."""
    while True:
        if isinstance(node, ast.Declaration):
            node = node.value
        elif isinstance(node, ast.Binary) and not node.parens:
            node = node.right
        elif isinstance(node, ast.Unary):
            node = node.operand
        elif isinstance(node, ast.Lambda):
            node = node.expression
        else:
            return node


class _Writer:
    """Writes nodes with an explicit work stack instead of recursion, so that any depth of
    nesting formats. A work item is either text to write or a (node, indent, on_new_line)
    triple to expand into more items, in the order Kapacitor's Format methods write them."""

    def __init__(self, stable: _Stable | None = None) -> None:
        self.out: list[str] = []
        self.stable = stable

    def comment_text(self, comment: ast.Comment, indent: str, on_new_line: bool) -> str:
        parts: list[str] = []
        if not on_new_line:
            parts.append("\n")
        lines = comment.kapacitor_lines or [line[1:] if line.startswith(" ") else line for line in comment.lines]
        for line in lines:
            if line == "\n":
                parts.append("\n")
            elif line:
                parts.append(f"{indent}// {line}\n")
            else:
                parts.append(f"{indent}//\n")
        return _CommentText("".join(parts))

    def comment(self, comment: ast.Comment, indent: str, on_new_line: bool) -> None:
        self.out.append(self.comment_text(comment, indent, on_new_line))

    def comments_text(self, node: ast.Node, indent: str, on_new_line: bool) -> str | None:
        """The comments written before `node`, or None."""
        if self.stable is None:
            comment = getattr(node, "comment", None)
            comments = [comment] if comment is not None else []
        else:
            comments = self.stable.comments(node)
        if not comments:
            return None
        text = "".join(self.comment_text(comment, indent, on_new_line or i > 0) for i, comment in enumerate(comments))
        return _CommentText(text)

    def node(self, root: ast.Node, indent: str, on_new_line: bool) -> None:
        out = self.out
        stack: list = [(root, indent, on_new_line)]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                out.append(item)
                continue
            node, indent, on_new_line = item
            items = self.expand(node, indent, on_new_line)
            items.reverse()
            stack.extend(items)

    def needs_parentheses(self, node: ast.Node) -> bool:
        """Whether the stable layout writes `node` inside added parentheses (see `_Stable`)."""
        stable = self.stable
        if stable is None:
            return False
        if id(node) in stable.wrapped:
            return True
        cls = node.__class__
        after_comment = cls is ast.RegexLiteral or cls is ast.Unary or id(node) in stable.drops_comment
        if not after_comment and cls is not ast.Star:
            return False
        if stable.comments(node):  # written just before it
            return after_comment
        for text in reversed(self.out):
            if text.__class__ is _CommentText:
                # Kapacitor's lexer reads a line starting with `/` after a comment as comment.
                return after_comment
            text = text.rstrip()
            if text:
                return (cls is ast.RegexLiteral or cls is ast.Star) and _operator_follows(text[-1])
        return False

    def expand(self, node: ast.Statement, indent: str, on_new_line: bool) -> list:
        """What `node` writes: text pieces and child triples, in order."""
        stable = self.stable
        if isinstance(node, ast.Chain):
            items: list = [(node.left, indent, on_new_line), "\n"]
            indent += INDENT_STEP
            if node.operator == ".":
                indent += INDENT_STEP
            if node.comment is not None:
                items.append(self.comment_text(node.comment, indent, True))
            items.append(indent + node.operator)
            items.append((node.right, indent, False))
            return items
        if isinstance(node, (ast.Declaration, ast.TypeDeclaration)):
            items = []
            comments = self.comments_text(node, indent, on_new_line)
            if comments is not None:
                items.append(comments)
            items.append("var ")
            items.append((node.name, indent, False))
            if isinstance(node, ast.Declaration):
                items.append(" = ")
                items.append((node.value, indent, False))
            else:
                items.append(" ")
                items.append((node.type_name, indent, False))
            return items
        if isinstance(node, ast.DBRP):
            items = []
            if node.comment is not None:
                items.append(self.comment_text(node.comment, indent, on_new_line))
            items.append(f'{indent}dbrp "{node.database.name}"."{node.retention_policy.name}"')
            return items

        # Every other node: its comment, then the indent when starting a line.
        items = []
        comments = self.comments_text(node, indent, on_new_line)
        if comments is not None:
            items.append(comments)
            on_new_line = True
        if on_new_line:
            items.append(indent)
        wrapped = self.needs_parentheses(node)
        if wrapped:
            items.append("(")

        if isinstance(node, ast.Function):
            items.append(node.name + "(")
            arg_indent = indent + INDENT_STEP
            multiline = stable.multiline[id(node)] if stable is not None else node.multiline
            for i, arg in enumerate(node.args):
                if i:
                    items.append("," if multiline else ", ")
                if multiline:
                    items.append("\n")
                items.append((arg, arg_indent, multiline))
            if multiline and node.args:
                items.append("\n" + indent)
            items.append(")")
        elif isinstance(node, ast.Binary):
            multiline = stable.multiline[id(node)] if stable is not None else node.multiline
            if node.parens:
                items.append("(")
                indent += INDENT_STEP
            items.append((node.left, indent, False))
            items.append(f" {node.operator}" + ("\n" if multiline else " "))
            items.append((node.right, indent, multiline))
            if node.parens:
                items.append(")")
        elif isinstance(node, ast.Identifier):
            items.append(node.name)
        elif isinstance(node, ast.Reference):
            items.append('"' + node.name.replace('"', '\\"') + '"')
        elif isinstance(node, ast.StringLiteral):
            if node.triple_quoted:
                items.append("'''" + node.value + "'''")
            else:
                items.append("'" + node.value.replace("'", "\\'") + "'")
        elif isinstance(node, ast.NumberLiteral):
            items.append(format_number(node))
        elif isinstance(node, ast.DurationLiteral):
            items.append(node.literal)
        elif isinstance(node, ast.Lambda):
            items.append("lambda: ")
            items.append((node.expression, indent, False))
        elif isinstance(node, ast.Unary):
            items.append(node.operator)
            items.append((node.operand, indent, False))
        elif isinstance(node, ast.BoolLiteral):
            items.append("TRUE" if node.value else "FALSE")
        elif isinstance(node, ast.RegexLiteral):
            items.append(node.literal)
        elif isinstance(node, ast.Star):
            items.append("*")
        elif isinstance(node, ast.ListLiteral):
            items.append("[")
            for i, element in enumerate(node.elements):
                if i:
                    items.append(", ")
                items.append((element, indent, on_new_line))
            items.append("]")
        else:  # pragma: no cover - every node class is handled above
            raise TypeError(f"cannot format {node.__class__.__name__}")
        if wrapped:
            items.append(")")
        return items


def format_node(node: ast.Node, indent: str = "", on_new_line: bool = False) -> str:
    writer = _Writer()
    writer.node(node, indent, on_new_line)
    return "".join(writer.out)


def format_program(program: ast.Program) -> str:
    writer = _Writer(_Stable(program))
    out = writer.out
    items: list[ast.Statement | ast.Comment] = list(program.statements)
    for extra in (program.dangling_comment, program.trailing_comment):
        if extra is not None:
            items.append(extra)
    for i, item in enumerate(items):
        # Kapacitor writes the dangling and the trailing comment as two items, with two blank
        # lines between; read back, they are one comment with one blank line.
        if i and not (item is program.trailing_comment and items[i - 1] is program.dangling_comment):
            out.append("\n")
        if isinstance(item, ast.Comment):
            writer.comment(item, "", True)
        else:
            writer.node(item, "", True)
        out.append("\n")
    return "".join(out)


def format_expression(node: ast.Node) -> str:
    """An expression on one line as Kapacitor prints a lambda body (LambdaNode.ExpressionString)."""
    return format_node(node, "", True)


def format_source(source: str, path: str = "<script>") -> str:
    return format_program(parse(source, path))
