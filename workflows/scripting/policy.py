"""Compile-time policy for diagram code: RestrictedPython's rules, tightened, and a compile cache."""

from __future__ import annotations

import ast
import functools
import re
import types
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from workflows.messages import Message, message
from workflows.scripting.errors import RestrictedCodeError

# The engine looks for this file name in tracebacks to report the failing script line.
FILENAME = "<string>"
_COMPILE_CACHE_SIZE = 4096

# Calls rejected by name.  A data field may be called e.g. "open" or "type", so only
# calls are refused: data values are never callable.  None of these are builtins here.
_DENIED_CALLS = frozenset(
    {
        "breakpoint",
        "classmethod",
        "compile",
        "delattr",
        "dir",
        "exit",
        "getattr",
        "globals",
        "hasattr",
        "help",
        "input",
        "locals",
        "memoryview",
        "object",
        "open",
        "property",
        "quit",
        "setattr",
        "staticmethod",
        "super",
        "type",
        "vars",
    }
)

# Operators whose results can be huge are rewritten into calls of run-time guards.
_GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
    ast.FloorDiv: "_floordiv_",
}

# A format width or precision of six digits or more.
_WIDE_FORMAT_SPEC = re.compile(r"\d{6,}")


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, tightened for business rules in diagrams.

    Its own refusals are messages (workflows.messages) with the line; RestrictedPython's are its text.
    """

    def refuse(self, node: ast.AST, code: str, **params: Any) -> None:
        """Record one of this policy's refusals as a message naming the line."""
        self.errors.append(message(code, line=getattr(node, "lineno", None), **params))

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> ast.AST:  # noqa: N802
        self.refuse(node, "code_import")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:  # noqa: N802
        return self.visit_Import(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:  # noqa: N802
        self.refuse(node, "code_class")
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:  # noqa: N802
        # A handler or finally block could swallow the time limit and run on untraced.
        self.refuse(node, "code_try")
        return node

    def visit_With(self, node: ast.With) -> ast.AST:  # noqa: N802
        self.refuse(node, "code_with")
        return node

    def visit_Name(self, node: ast.Name) -> Any:  # noqa: N802
        # Output would go nowhere; RestrictedPython would also leave a collector behind.
        if isinstance(node.ctx, ast.Load) and node.id in ("print", "printed"):
            self.refuse(node, "code_print", name=node.id)
            return node
        return super().visit_Name(node)

    def visit_Call(self, node: ast.Call) -> Any:  # noqa: N802
        if isinstance(node.func, ast.Name) and node.func.id in _DENIED_CALLS:
            self.refuse(node, "code_call_denied", name=node.func.id)
        return super().visit_Call(node)

    def visit_While(self, node: ast.While) -> Any:  # noqa: N802
        # "while True: pass" compiles to a jump onto itself, which raises no trace
        # event; a call at the top of every loop body gives the time limit a chance.
        node = super().visit_While(node)
        tick = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
        for new_node in (tick, tick.value, tick.value.func):
            copy_locations(new_node, node)
        node.body.insert(0, tick)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802
        node = self.node_contents_visit(node)
        guard = _GUARDED_OPERATORS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:  # noqa: N802
        # f"{x:>99999999}" pads in C, beyond the reach of the time limit.
        if node.format_spec is not None and _is_wide_format_spec(node.format_spec):
            self.refuse(node, "code_format_width")
        return super().visit_FormattedValue(node)


def _is_wide_format_spec(spec: ast.expr) -> bool:
    """True if an f-string format spec is computed or asks for a huge width."""
    parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
    for part in parts:
        if not isinstance(part, ast.Constant):
            return True
        if _WIDE_FORMAT_SPEC.search(str(part.value)):
            return True
    return False


@functools.lru_cache(maxsize=_COMPILE_CACHE_SIZE)
def _compile(mode: str, text: str) -> tuple[types.CodeType | None, tuple[Message | str, ...]]:
    """Compile restricted code once per (mode, text); return the code or the errors."""
    if mode == "eval":
        compiler = compile_restricted_eval
        text = text.strip()  # like eval(), tolerate the whitespace XML puts around text
    else:
        compiler = compile_restricted_exec
    try:
        result = compiler(text, filename=FILENAME, policy=_Policy)
    except (SyntaxError, ValueError) as error:  # raised by compile(), after the policy ran
        return None, (f"Line {getattr(error, 'lineno', None)}: {getattr(error, 'msg', error)}",)
    except RecursionError:
        return None, (message("code_too_deep"),)
    return result.code, tuple(dict.fromkeys(result.errors))


def _check(mode: str, text: Any) -> list[Message | str]:
    if not isinstance(text, str):
        return [message("code_not_text", kind=type(text).__name__)]
    return list(_compile(mode, text)[1])


def check_expression(text: str) -> list[Message | str]:
    """Return [] if text compiles as a restricted expression, else why not (messages, or RestrictedPython's text)."""
    return _check("eval", text)


def check_script(text: str) -> list[Message | str]:
    """Return [] if text compiles as a restricted script, else why not (messages, or RestrictedPython's text)."""
    return _check("exec", text)


def compiled(mode: str, text: str) -> types.CodeType:
    """The cached code for text, or RestrictedCodeError listing why it is refused."""
    errors = _check(mode, text)
    if errors:
        raise RestrictedCodeError("; ".join(map(str, errors)))
    code = _compile(mode, text)[0]
    assert code is not None  # no errors means RestrictedPython produced code
    return code
