"""Go's html/template: text/template plus contextual auto-escaping (stub: text context only)."""

from __future__ import annotations

from tickpy.lang import gotemplate_parse as P
from tickpy.lang.gotemplate_exec import ExecError, Func, TextTemplate, html_escape_string
from tickpy.lang.gotemplate_fmt import sprint
from tickpy.lang.gotemplate_types import EMPTY_INTERFACE, GV, STRING


def _stringify(args):
    if len(args) == 1 and args[0] is not None and args[0].t.kind == "string":
        return args[0].v
    return sprint([a for a in args if a is not None])


def _html_escaper(*args):
    return GV(STRING, html_escape_string(_stringify(list(args))).replace("+", "&#43;"))


ESCAPERS = {"_html_template_htmlescaper": Func("_html_template_htmlescaper", [EMPTY_INTERFACE], [STRING], _html_escaper, True)}


class HTMLTemplate(TextTemplate):
    def __init__(self, name, text, extra_funcs=None):
        super().__init__(name, text, extra_funcs)
        self.funcs.update(ESCAPERS)
        self.escaped = False

    def execute(self, data) -> str:
        if not self.escaped:
            for tree in self.trees.values():
                self._escape_list(tree.root)
            self.escaped = True
        return super().execute(data)

    def _escape_list(self, node):
        if node is None:
            return
        if isinstance(node, P.ListNode):
            for child in node.nodes:
                self._escape_list(child)
        elif isinstance(node, P.ActionNode):
            if not node.pipe.decl:
                node.pipe.cmds.append(P.CommandNode(node.pos, [P.IdentifierNode(node.pos, "_html_template_htmlescaper")]))
        elif isinstance(node, P.BranchNode):
            self._escape_list(node.list)
            self._escape_list(node.else_list)
