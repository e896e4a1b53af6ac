/**
 * Helpers for the real-editor suite. Runs inside the VS Code extension host (desktop or the
 * VS Code server inside code-server); only the `vscode` API and Node built-ins.
 */
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `publisher.name` from the root package.json */
export const EXTENSION_ID = 'meshlint.meshlint';
export const SOURCE = 'meshlint';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value other than undefined/false, or fails with `what`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(250);
  }
}

export function workspaceRoot(): vscode.Uri {
  const folders = vscode.workspace.workspaceFolders;
  assert.ok(folders && folders.length > 0, 'no workspace folder is open (the runner opens the fixture copy)');
  return folders[0].uri;
}

export function wsUri(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...rel.split('/'));
}

export function relPath(uri: vscode.Uri): string {
  return path.relative(workspaceRoot().fsPath, uri.fsPath).split(path.sep).join('/');
}

/** The meshlint extension, activated. Fails with a clear message when it is not loaded. */
export async function meshlint(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(
    ext,
    `extension ${EXTENSION_ID} is not loaded (extensionDevelopmentPath must be the repo root with client/out/extension.js built; ` +
      `loaded under development: ${vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id).join(', ') || 'none'})`,
  );
  if (!ext.isActive) await ext.activate();
  return ext;
}

/** Workspace files whose text matches `re`, sorted by path. */
export async function filesContaining(re: RegExp, include = '**/*.{yaml,yml,conf}'): Promise<vscode.Uri[]> {
  const uris = await vscode.workspace.findFiles(include, '**/node_modules/**');
  const hits: vscode.Uri[] = [];
  for (const u of uris) {
    const text = Buffer.from(await vscode.workspace.fs.readFile(u)).toString('utf8');
    if (re.test(text)) hits.push(u);
  }
  return hits.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

export async function fileContaining(re: RegExp, include?: string): Promise<vscode.Uri> {
  const hits = await filesContaining(re, include);
  assert.ok(hits.length > 0, `no fixture file matches ${re}`);
  return hits[0];
}

/** Opens every YAML/nginx file of the fixture so a server that lints only open documents sees them all. */
export async function openAllFixtureFiles(): Promise<vscode.TextDocument[]> {
  const uris = await vscode.workspace.findFiles('**/*.{yaml,yml,conf}', '**/node_modules/**');
  return Promise.all(uris.map((u) => vscode.workspace.openTextDocument(u)));
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  if (typeof c === 'object') return String(c.value);
  return String(c);
}

export function meshlintDiagnostics(uri?: vscode.Uri): { uri: vscode.Uri; d: vscode.Diagnostic }[] {
  const all: [vscode.Uri, readonly vscode.Diagnostic[]][] = uri ? [[uri, vscode.languages.getDiagnostics(uri)]] : vscode.languages.getDiagnostics();
  const out: { uri: vscode.Uri; d: vscode.Diagnostic }[] = [];
  for (const [u, ds] of all) for (const d of ds) if (d.source === SOURCE) out.push({ uri: u, d });
  return out;
}

export function describeDiagnostics(list = meshlintDiagnostics()): string {
  if (list.length === 0) return '(no meshlint diagnostics at all)';
  return list.map(({ uri, d }) => `${relPath(uri)}:${d.range.start.line + 1} ${codeOf(d)}: ${d.message}`).join('\n      ');
}

/** Waits for a meshlint diagnostic with rule id `code` (optionally in one file / matching a filter). */
export async function waitForDiagnostic(
  code: string,
  opts: { uri?: vscode.Uri; filter?: (d: vscode.Diagnostic) => boolean; timeoutMs?: number } = {},
): Promise<{ uri: vscode.Uri; d: vscode.Diagnostic }> {
  try {
    return await waitFor(`a ${SOURCE} diagnostic with code ${code}${opts.uri ? ` in ${relPath(opts.uri)}` : ''}`, () =>
      meshlintDiagnostics(opts.uri).find(({ d }) => codeOf(d) === code && (!opts.filter || opts.filter(d))),
    opts.timeoutMs ?? 20_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n      diagnostics now: ${describeDiagnostics()}`);
  }
}

/** Text of hovers, whatever shape their contents have. */
export function hoverText(hovers: vscode.Hover[] | undefined): string {
  const parts: string[] = [];
  for (const h of hovers ?? []) {
    for (const c of h.contents) {
      if (typeof c === 'string') parts.push(c);
      else if (c instanceof vscode.MarkdownString) parts.push(c.value);
      else if (c && typeof (c as { value?: unknown }).value === 'string') parts.push((c as { value: string }).value);
    }
  }
  return parts.join('\n');
}

/** Position of the `group`-th capture of `re` (offset `delta` into it) in `doc`. */
export function positionOf(doc: vscode.TextDocument, re: RegExp, group = 0, delta = 1): vscode.Position {
  const m = re.exec(doc.getText());
  assert.ok(m, `${relPath(doc.uri)} has no match for ${re}`);
  const start = m.index + (group === 0 ? 0 : m[0].indexOf(m[group]));
  return doc.positionAt(start + delta);
}

/**
 * Asks the runner for a screenshot of the live workbench (code-server backend): logs the marker
 * `[[screenshot:name]]` and waits until the runner has written the PNG (it drops an ack file into
 * MESHLINT_E2E_ACK_DIR). Without a page (electron backend) it returns at once.
 */
let shotSeq = 0;
export async function screenshot(name: string): Promise<void> {
  const ackDir = process.env.MESHLINT_E2E_ACK_DIR;
  const id = `${process.pid}-${++shotSeq}`;
  console.log(`[[screenshot:${name}]] ${id}`);
  if (!ackDir) return;
  const ack = path.join(ackDir, `${id}.ack`);
  await waitFor(`the runner to take screenshot ${name}`, () => fs.existsSync(ack), 15_000);
}

/** Applies a code action the way the editor does: its edit, then its command. */
export async function applyCodeAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit) {
    const ok = await vscode.workspace.applyEdit(action.edit);
    assert.ok(ok, `workspace.applyEdit refused the edit of "${action.title}"`);
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}

export async function codeActionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    uri,
    range,
  );
  // a bare Command has `command: string`; a CodeAction's `command` is an object
  return (actions ?? []).filter((a): a is vscode.CodeAction => typeof (a as { command?: unknown }).command !== 'string');
}
