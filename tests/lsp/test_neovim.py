"""A real editor: headless Neovim's built-in LSP client runs `tickpy lsp` on a script and reads
back the diagnostics, which must be `tickpy validate`'s. Skipped where nvim is absent (.ci/run
installs Debian's `neovim`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

NVIM = shutil.which("nvim")

CLIENT = """
local client_id = vim.lsp.start_client({
  name = 'tickpy',
  cmd = { os.getenv('TICKPY_PYTHON'), '-m', 'tickpy', 'lsp' },
  root_dir = os.getenv('TICKPY_DIR'),
})
vim.cmd('edit ' .. os.getenv('TICKPY_SCRIPT'))
vim.lsp.buf_attach_client(0, client_id)
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 20)
local found = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(found, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
                        message = d.message, severity = d.severity })
end
vim.fn.writefile({ vim.fn.json_encode(found) }, os.getenv('TICKPY_OUT'))
vim.cmd('qa!')
"""

SCRIPT = """var data = stream
    |from()
        .measurement('cpu')
    |window()
        .period(5m)
data
    |window()
    |httpOut('x')
"""


@pytest.mark.skipif(NVIM is None, reason="nvim is not installed (Debian: apt-get install neovim; .ci/run does)")
def test_neovim_shows_the_diagnostics_of_tickpy_validate(tmp_path):
    script = tmp_path / "broken.tick"
    script.write_text(SCRIPT)
    client = tmp_path / "client.lua"
    client.write_text(CLIENT)
    out = tmp_path / "diagnostics.json"
    env = dict(os.environ, TICKPY_PYTHON=sys.executable, TICKPY_DIR=str(tmp_path), TICKPY_SCRIPT=str(script),
               TICKPY_OUT=str(out), HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path))
    subprocess.run([NVIM, "--headless", "--clean", "-c", f"luafile {client}"], env=env, timeout=120, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)
    shown = json.loads(out.read_text())
    validated = subprocess.run([sys.executable, "-m", "tickpy", "validate", "--format", "json", str(script)],
                               capture_output=True, text=True)
    expected = json.loads(validated.stdout)["diagnostics"]
    assert expected and len(shown) == len(expected)
    for nvim_diagnostic, record in zip(shown, expected):
        # Neovim counts from 0 and in bytes; the script is ASCII
        assert (nvim_diagnostic["lnum"] + 1, nvim_diagnostic["col"] + 1) == (record["line"], record["column"])
        assert (nvim_diagnostic["end_lnum"] + 1, nvim_diagnostic["end_col"] + 1) == (record["end_line"], record["end_column"])
        assert nvim_diagnostic["message"].split("\nhint: ")[0] == record["message"]
        assert nvim_diagnostic["severity"] == {"error": 1, "warning": 2, "info": 3}[record["severity"]]
