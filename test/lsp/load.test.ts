/**
 * The language server under load (the bundled server over --stdio, the way an editor runs it):
 *  - 10,000 rapid didChange events on one file, then one edit in each of 500 files;
 *  - stale work is dropped (far fewer analyses than events), memory stays bounded (VmRSS / VmHWM
 *    of the server process), and the final diagnostics equal a cold CLI run on the final texts.
 * Figures are printed as diagnostics and recorded in docs/reliability.md.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspClient, SERVER, ROOT, tempCopy, offsetToPos } from './lspClient';
import { run } from '../../server/src/cli';

const STORM = Number(process.env.MESHLINT_LOAD_STORM ?? 10_000);
const FILES = 500;
const CM = 'web/configmap.yaml';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function memOf(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** 500 extra files over 50 namespaces: Services, Deployments, nginx ConfigMaps, DestinationRules. */
function addFiles(dir: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const ns = `load-${i % 50}`;
    const k = Math.floor(i / 50);
    const rel = `load/${ns}/f${k}.yaml`;
    let text: string;
    if (k === 0) text = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    istio-injection: enabled\n`;
    else if (k % 4 === 1) text = `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${k}\n  namespace: ${ns}\nspec:\n  selector:\n    app: app-${k}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n`;
    else if (k % 4 === 2) text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${k - 1}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels:\n      app: app-${k - 1}\n  template:\n    metadata:\n      labels:\n        app: app-${k - 1}\n    spec:\n      containers:\n      - name: app\n        image: example/app:1\n        ports:\n        - containerPort: 8080\n`;
    else if (k % 4 === 3) text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nginx-${k}\n  namespace: ${ns}\ndata:\n  default.conf: |\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://svc-${k - 2};\n            proxy_set_header Host $host;\n        }\n    }\n`;
    else text = `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: dr-${k}\n  namespace: ${ns}\nspec:\n  host: svc-${k - 3}.${ns}.svc.cluster.local\n  trafficPolicy:\n    tls:\n      mode: ISTIO_MUTUAL\n`;
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
    out.push(rel);
  }
  return out;
}

test(`server under load: ${STORM} didChange on one file, edits across ${FILES} files`, { timeout: 170_000 }, async (t) => {
  if (!fs.existsSync(SERVER)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status, 0);
  const dir = tempCopy('examples/blog-system');
  dirs.push(dir);
  const extra = addFiles(dir);
  const c = new LspClient(dir);
  const pid = c.proc!.pid!;
  const analyses = () => c.notifications.filter((n) => n.method === 'meshlint/modelChanged').length;
  try {
    const t0 = performance.now();
    await c.initialize();
    await c.waitFor('first complete diagnostics', () => analyses() > 0, 60_000);
    const indexMs = performance.now() - t0;
    await c.open(CM);
    await c.conn.sendRequest('meshlint/coverage', {});
    const base = memOf(pid);

    // 1. the storm: alternating Host lines and a comment line that moves every offset below it
    const a0 = analyses();
    const p0 = c.published.length;
    let peak = base.rss;
    const s0 = performance.now();
    for (let i = 0; i < STORM; i++) {
      if (i % 3 === 2) {
        const doc = c.docs.get(c.uri(CM))!;
        const hasComment = doc.text.startsWith('# storm');
        await c.applyTextEdits(doc.uri, [{ range: { start: { line: 0, character: 0 }, end: hasComment ? { line: 1, character: 0 } : { line: 0, character: 0 } }, newText: hasComment ? '' : `# storm ${i}\n` }]);
      } else {
        await c.replaceIn(CM, /Host [^;]*;/, i % 2 ? 'Host was-service.blog-system;' : 'Host $host;');
      }
      if (i % 500 === 0) peak = Math.max(peak, memOf(pid).rss);
    }
    const sendMs = performance.now() - s0;
    // a request that reads the model brings the analysis up to date; publishes precede its answer
    await c.conn.sendRequest('meshlint/coverage', {});
    // (a publish is skipped when a file's diagnostics did not change, so there is no version to wait for)
    const stormAnalyses = analyses() - a0;
    const afterStorm = memOf(pid);
    peak = Math.max(peak, afterStorm.rss);
    t.diagnostic(`index: ${FILES + 8} files in ${(indexMs / 1000).toFixed(1)} s; storm: ${STORM} didChange sent in ${(sendMs / 1000).toFixed(1)} s -> ${stormAnalyses} analyses, ${c.published.slice(p0).filter((p) => p.params.uri === c.uri(CM)).length} publishes for the file`);
    t.diagnostic(`server RSS: ${base.rss.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB during, ${afterStorm.rss.toFixed(0)} MB after the storm`);
    assert.ok(stormAnalyses < STORM / 10, `stale work is dropped: ${stormAnalyses} analyses for ${STORM} edits`);
    assert.ok(afterStorm.rss - base.rss < 300, `RSS grew ${(afterStorm.rss - base.rss).toFixed(0)} MB over the storm`);

    // 2. one edit in each of 500 files (open, edit; every tenth file broken on purpose), then a second storm round
    const a1 = analyses();
    const e0 = performance.now();
    for (const [i, rel] of extra.entries()) {
      await c.open(rel);
      if (i % 10 === 3) await c.replaceIn(rel, /metadata:/, 'metadata: [');
      else await c.replaceIn(rel, /metadata:\n/, `metadata:\n  annotations:\n    edited: "${i}"\n`);
    }
    // close a fifth of them again: the server must go back to their disk text
    for (const rel of extra.filter((_, i) => i % 5 === 0)) await c.close(rel);
    await c.conn.sendRequest('meshlint/coverage', {});
    await new Promise((r) => setTimeout(r, 500));
    await c.conn.sendRequest('meshlint/coverage', {});
    const multiMs = performance.now() - e0;
    const end = memOf(pid);
    t.diagnostic(`${FILES} files opened and edited in ${(multiMs / 1000).toFixed(1)} s -> ${analyses() - a1} analyses; server RSS ${end.rss.toFixed(0)} MB, peak (VmHWM) ${end.hwm.toFixed(0)} MB`);
    assert.ok(end.rss - base.rss < 400, `RSS grew ${(end.rss - base.rss).toFixed(0)} MB in all`);

    // a second storm: memory must not keep growing (a leak would show here)
    for (let i = 0; i < STORM / 2; i++) await c.replaceIn(CM, /Host [^;]*;/, i % 2 ? 'Host was-service.blog-system;' : 'Host $host;');
    await c.conn.sendRequest('meshlint/coverage', {});
    const again = memOf(pid);
    t.diagnostic(`second storm (${STORM / 2} didChange): server RSS ${end.rss.toFixed(0)} -> ${again.rss.toFixed(0)} MB, peak (VmHWM) ${again.hwm.toFixed(0)} MB`);
    assert.ok(again.rss - end.rss < 150, `RSS kept growing: ${(again.rss - end.rss).toFixed(0)} MB over the second storm`);

    // 3. the final diagnostics equal a cold CLI run on the final texts
    const cold = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-load-cold-'));
    dirs.push(cold);
    fs.cpSync(dir, cold, { recursive: true });
    for (const doc of c.docs.values()) fs.writeFileSync(path.join(cold, c.rel(doc.uri)), doc.text);
    let out = '';
    const prevCwd = process.cwd();
    process.chdir(cold);
    try {
      run(['check', '.', '--format', 'json', '--severity', 'hint'], (s) => (out += s), () => undefined);
    } finally {
      process.chdir(prevCwd);
    }
    const expected = (JSON.parse(out) as { findings: { rule: string; file: string; line: number; column: number }[] }).findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`).sort();
    const got: string[] = [];
    for (const [uri, ds] of c.diagnostics) for (const d of ds) got.push(`${c.rel(uri)}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`);
    got.sort();
    const only = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
    assert.deepEqual({ onlyServer: only(got, expected), onlyCli: only(expected, got) }, { onlyServer: [], onlyCli: [] }, 'server diagnostics = cold CLI');
    t.diagnostic(`final: ${got.length} diagnostics, identical to a cold CLI run`);
    void offsetToPos;
  } finally {
    await c.stop();
  }
});
