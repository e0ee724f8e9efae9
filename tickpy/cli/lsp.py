"""`tickpy lsp`: the TICKscript language server, for editors (docs/editors.md)."""

from __future__ import annotations

import click


@click.command("lsp")
@click.option("--tcp", "port", type=click.IntRange(1, 65535), default=None, metavar="PORT",
              help="Listen on 127.0.0.1:PORT instead of standard input/output (for debugging).")
def command(port: int | None) -> None:
    """Serve TICKscript diagnostics, formatting, completion, hover and var navigation to editors
    over the Language Server Protocol, on standard input/output.

    Needs the `lsp` extra: pip install 'tickpy[lsp]'. Editor set-up: docs/editors.md.
    """
    try:
        from tickpy.lsp.server import serve  # deferred: pygls is the optional `lsp` extra; say how to get it
    except ModuleNotFoundError as error:
        if error.name not in ("pygls", "lsprotocol"):
            raise
        raise click.ClickException(f"tickpy lsp needs {error.name}: pip install 'tickpy[lsp]'") from None
    serve(port)
