/**
 * Issues 3 and 7: the client restarts a dead language server. Kills the meshlint server process
 * (a child of this extension host, forked by vscode-languageclient) with SIGKILL and expects a new
 * server process and a working extension afterwards.
 *
 * index.ts runs the bundles in file name order (smoke first), so this file runs after
 * extension.e2e.ts; it leaves web/configmap.yaml as it found it and saved.
 */
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import {
  codeOf,
  describeDiagnostics,
  meshlint,
  meshlintDiagnostics,
  openAllFixtureFiles,
  relPath,
  waitFor,
  waitForDiagnostic,
  wsUri,
} from './helpers';

interface Coverage {
  summary: { inMesh: number; total: number; percent: number };
}

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  cmdline: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(rest[1]), state: rest[0], cmdline };
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

function isDescendantOf(p: Proc, ancestor: number): boolean {
  let cur: Proc | undefined = p;
  for (let hops = 0; cur && hops < 32; hops++) {
    if (cur.ppid === ancestor) return true;
    if (cur.ppid <= 1) return false;
    cur = readProc(cur.ppid);
  }
  return false;
}

/** Live (not zombie) meshlint server processes started by this extension host. */
function serverProcesses(): Proc[] {
  const all = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map((n) => readProc(Number(n)));
  const servers = all.filter((p): p is Proc => !!p && p.state !== 'Z' && /server[/\\]out[/\\]server\.js/.test(p.cmdline));
  return servers.filter((p) => isDescendantOf(p, process.pid));
}

function alive(pid: number): boolean {
  const p = readProc(pid);
  return !!p && p.state !== 'Z';
}

suite('meshlint server restart', () => {
  test('the client restarts a language server killed with SIGKILL (issues 3, 7)', async function () {
    this.timeout(150_000);
    if (process.platform !== 'linux' || !fs.existsSync('/proc/self/stat')) this.skip();
    await meshlint();
    await openAllFixtureFiles();

    // the extension is up: coverage answers before the kill
    const covOk = async () => {
      const cov = await vscode.commands.executeCommand<Coverage>('meshlint.getCoverage', { namespace: 'blog-system' });
      const s = cov?.summary;
      return !!s && s.inMesh === 2 && s.total === 3 && s.percent === 66 && s;
    };
    await waitFor('meshlint.getCoverage to report 66% for blog-system before the kill', covOk, 60_000);

    const before = await waitFor(`exactly one meshlint server process under this extension host (pid ${process.pid})`, () => {
      const s = serverProcesses();
      return s.length === 1 && s[0];
    }, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; found: ${JSON.stringify(serverProcesses())}`);
    });

    process.kill(before.pid, 'SIGKILL');
    await waitFor(`the killed server (pid ${before.pid}) to be gone`, () => !alive(before.pid), 10_000);

    const after = await waitFor('a new meshlint server process after the kill', () => {
      const s = serverProcesses().filter((p) => p.pid !== before.pid);
      return s.length > 0 && s[0];
    }, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; found: ${JSON.stringify(serverProcesses())}`);
    });
    assert.notEqual(after.pid, before.pid);
    assert.equal(serverProcesses().length, 1, `more than one server runs after the restart: ${JSON.stringify(serverProcesses())}`);

    // the restarted server answers requests ...
    await waitFor('meshlint.getCoverage to report 66% for blog-system after the restart', covOk, 30_000);

    // ... and analyses edits: break the Host line (host-header-passthrough appears), fix it (it goes away)
    const configMap = wsUri('web/configmap.yaml');
    const doc = await vscode.workspace.openTextDocument(configMap);
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const hostLine = /(proxy_set_header\s+Host\s+)([^;\n]+)(;)/;
    assert.match(original, hostLine, `${relPath(configMap)} has no proxy_set_header Host line`);
    const setHost = async (value: string) => {
      const text = doc.getText();
      const m = hostLine.exec(text);
      assert.ok(m);
      const start = doc.positionAt(m.index + m[1].length);
      const end = doc.positionAt(m.index + m[1].length + m[2].length);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(configMap, new vscode.Range(start, end), value);
      assert.ok(await vscode.workspace.applyEdit(edit), `applyEdit refused Host ${value}`);
    };
    try {
      await setHost('$host');
      await waitForDiagnostic('host-header-passthrough', { uri: configMap, timeoutMs: 30_000 });
      await setHost('was-service');
      await waitFor('host-header-passthrough to disappear after fixing the Host line', () =>
        !meshlintDiagnostics(configMap).some(({ d }) => codeOf(d) === 'host-header-passthrough'),
      30_000).catch((e: Error) => {
        throw new Error(`${e.message}\n      diagnostics now: ${describeDiagnostics()}`);
      });
    } finally {
      // leave the file as this test found it
      if (doc.getText() !== original) {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(configMap, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original);
        await vscode.workspace.applyEdit(edit);
      }
      if (doc.isDirty) await doc.save();
    }
  });
});
