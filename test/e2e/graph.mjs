// The mesh graph page as users open it (issue 12): `meshlint graph --format html` rendered in headless
// Chromium: it draws the blog-system with no console error, nodes are clickable (details and neighbour
// highlight), and a 1,000-node workspace is laid out and drawn in under 2 s. Each check is recorded.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export async function runGraphChecks({ record, grep, screenshotPath, say, root, tmp, env }) {
  const checks = [];
  const check = (title, fn) => checks.push([title, fn]);
  const executablePath = env.MESHLINT_E2E_CHROMIUM || '/usr/bin/chromium';
  const html = (args, out) => {
    const r = spawnSync(process.execPath, [join(root, 'bin/meshlint.js'), 'graph', ...args, '--format', 'html', '--output', out], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`meshlint graph exited ${r.status}: ${r.stderr}`);
    return out;
  };
  let browser;
  const open = async (file) => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`network request ${r.url()}`); });
    const t0 = Date.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-rendered]', { timeout: 30_000 });
    return { page, errors, ms: Date.now() - t0 };
  };

  check('graph html: the blog-system renders with no console error and no network', async () => {
    const { page, errors } = await open(html(['examples/blog-system'], join(tmp, 'blog-graph.html')));
    const nodes = await page.locator('g.node').count();
    if (nodes !== 7) throw new Error(`expected 7 nodes, drew ${nodes}`);
    if ((await page.locator('path.edge.passthrough').count()) !== 1) throw new Error('the web -> was-service call is not drawn as PassthroughCluster');
    if (errors.length) throw new Error(errors.join('\n'));
    await page.screenshot({ path: screenshotPath('graph-html') });
    say('screenshot graph-html.png');
    await page.close();
  });

  check('graph html: a node is clickable (details, neighbours highlighted) and the namespace filter works', async () => {
    const { page, errors } = await open(join(tmp, 'blog-graph.html'));
    await page.locator('g.node[data-node="workload:blog-system/Deployment/web"]').click();
    const details = await page.locator('#details').innerText();
    if (!/Deployment blog-system\/web/.test(details)) throw new Error(`details: ${details}`);
    const dim = await page.locator('g.node.dim').count();
    if (dim !== 4) throw new Error(`expected the 4 nodes that are not web's neighbours dimmed, got ${dim}`);
    await page.locator('path.edge.passthrough').dispatchEvent('click');
    if (!/host-header-passthrough/.test(await page.locator('#details').innerText())) throw new Error('the edge details do not list host-header-passthrough');
    await page.selectOption('#ns', 'blog-system');
    await page.fill('#search', 'was');
    if ((await page.locator('g.node.match').count()) < 2) throw new Error('search highlights fewer than was and was-service');
    if (errors.length) throw new Error(errors.join('\n'));
    await page.close();
  });

  check('graph html: 1,000 nodes are laid out and drawn in under 2 s', async () => {
    const dir = join(tmp, 'graph-1000');
    mkdirSync(dir, { recursive: true });
    for (let n = 0; n < 10; n++) {
      const ns = `team-${n}`;
      let y = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels: {istio-injection: enabled}\n`;
      const locs = [];
      for (let i = 0; i < 50; i++) {
        y += `---\napiVersion: v1\nkind: Service\nmetadata: {name: svc-${i}, namespace: ${ns}}\nspec:\n  selector: {app: app-${i}}\n  ports: [{name: http, port: 8080}]\n`;
        y += `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i}, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: app-${i}}}\n  template:\n    metadata: {labels: {app: app-${i}}}\n    spec: {containers: [{name: c, image: x}]}\n`;
        locs.push(`        location /s${i} {\n          proxy_pass http://svc-${i}:8080;\n          proxy_http_version 1.1;\n        }`);
      }
      y += `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: edge-conf, namespace: ${ns}}\ndata:\n  default.conf: |\n    server {\n      listen 80;\n${locs.map((l) => l.replace(/^ {4}/gm, '')).join('\n')}\n    }\n`;
      y += `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: edge, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: edge}}\n  template:\n    metadata: {labels: {app: edge}}\n    spec:\n      containers: [{name: nginx, image: nginx}]\n      volumes: [{name: c, configMap: {name: edge-conf}}]\n`;
      writeFileSync(join(dir, `${ns}.yaml`), y);
    }
    const { page, errors, ms } = await open(html([dir], join(tmp, 'graph-1000.html')));
    const nodes = await page.locator('g.node').count();
    if (nodes < 1000) throw new Error(`drew only ${nodes} nodes`);
    if (errors.length) throw new Error(errors.join('\n'));
    say(`graph html: ${nodes} nodes, ${await page.locator('path.edge').count()} edges rendered in ${ms} ms`);
    if (ms >= 2000) throw new Error(`rendering took ${ms} ms (target < 2000 ms)`);
    await page.close();
  });

  const selected = checks.filter(([t]) => !grep || grep.test(t));
  if (!selected.length) return;
  if (!existsSync(executablePath)) {
    for (const [t] of selected) record(t, false, `${executablePath} missing: the graph page cannot be checked (harness/setup.sh installs Debian chromium)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    for (const [title, fn] of selected) {
      const t = Date.now();
      try {
        await fn();
        record(title, true, '', Date.now() - t);
      } catch (e) {
        record(title, false, (e && e.message) || String(e));
      }
    }
  } finally {
    await browser.close();
  }
}
