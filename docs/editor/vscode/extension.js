// The Yardstick extension for VS Code: `.yard` files get the TextMate
// grammar in syntaxes/, and a language client that starts `yardstick lsp`
// (diagnostics as you type, hover, go to definition, completion).
// See docs/editor.md.

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("yardstick").get("path") || "yardstick";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "yardstick",
    "Yardstick",
    { run: server, debug: server },
    { documentSelector: [{ language: "yard" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
