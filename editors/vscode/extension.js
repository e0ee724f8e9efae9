// Starts `tickpy lsp` (pip install 'tickpy[lsp]') for TICKscript files; see docs/editors.md.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("tickpy").get("command");
  client = new LanguageClient(
    "tickpy",
    "TICKscript (tickpy)",
    { command, args },
    { documentSelector: [{ scheme: "file", language: "tickscript" }, { scheme: "untitled", language: "tickscript" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
