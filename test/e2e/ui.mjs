// UI check, as a person sees it: Playwright drives the live workbench (code-server backend) on a
// fresh copy of the fixture with the extension loaded normally (no test payload). Each check is
// recorded like a test ("ui: ..."); MESHLINT_E2E_GREP selects them by title too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

export async function runUiChecks({ page, extPath, record, grep, screenshotPath, say }) {
  let broken = false; // later checks need the earlier ones (an open editor)
  const check = async (title, fn, { needs = true } = {}) => {
    if (grep && !grep.test(title)) return;
    if (needs && broken) return record(title, false, 'skipped: an earlier UI check failed');
    const t = Date.now();
    try {
      await fn();
      record(title, true, '', Date.now() - t);
    } catch (e) {
      if (needs) broken = true;
      record(title, false, (e && e.message) || String(e));
      try { await page.screenshot({ path: screenshotPath(`tmp-ui-failure-${slug(title)}`) }); } catch { /* ignore */ }
    }
  };
  const shot = async (name) => {
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath(name) });
    say(`screenshot ${name}.png`);
  };

  // whatever MESHLINT_E2E_GREP selects, the workbench must have loaded the folder first
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 }).catch(() => {});

  await check('ui smoke: the workbench opens the fixture in the explorer', async () => {
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const explorerRow = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^web$/ });
    await explorerRow.first().waitFor({ timeout: 60_000 });
    const names = await page.locator('.explorer-folders-view .monaco-list-row').allInnerTexts();
    for (const n of ['web', 'was', 'ambient-example']) {
      if (!names.some((x) => x.trim() === n)) throw new Error(`explorer lacks ${n}; rows: ${names.join(', ')}`);
    }
  }, { needs: true });

  await check('ui smoke: Quick Open opens web/configmap.yaml in an editor', async () => {
    await openFile(page, 'web/configmap.yaml');
    await page.locator('.monaco-editor .view-lines', { hasText: 'web-nginx-config' }).first().waitFor({ timeout: 20_000 });
  });

  await check('ui: squiggles appear in the ConfigMap', async () => {
    await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: 45_000 });
    await shot('editor-squiggles');
  });

  await check('ui: the Problems panel lists meshlint findings with rule ids', async () => {
    await page.keyboard.press(`${MOD}+Shift+M`);
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: 20_000 });
    // the list is virtualized: filter it to the ConfigMap so its findings are on screen
    const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
    await filter.fill('configmap.yaml');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'host-header-passthrough' }).first();
    await row.waitFor({ timeout: 20_000 }).catch(async () => {
      throw new Error(`no host-header-passthrough row; panel: ${(await page.locator('.markers-panel').innerText()).replace(/\s+/g, ' ').slice(0, 400)}`);
    });
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    if (!/meshlint/.test(text)) throw new Error(`the row does not name meshlint: ${text}`);
    await shot('problems-panel');
    await filter.fill('');
  });

  await check('ui: hovering the Host line shows meshlint\'s explanation', async () => {
    // close the panel so the editor has room, then hover `$host` on the proxy_set_header Host line
    await page.keyboard.press(`${MOD}+J`);
    const line = page.locator('.monaco-editor .view-line', { hasText: /proxy_set_header\s+Host\s+\$host/ }).first();
    await line.waitFor({ timeout: 10_000 });
    const token = line.locator('span span', { hasText: /host/ }).last();
    const box = (await token.boundingBox()) ?? (await line.boundingBox());
    if (!box) throw new Error('the Host line is not on screen');
    await page.mouse.move(box.x + Math.min(box.width / 2, 20), box.y + box.height / 2);
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: /meshlint|was-service|PassthroughCluster|Host/ }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    if (!/was-service/.test(text)) throw new Error(`hover does not mention was-service: ${text.slice(0, 300)}`);
    await shot('hover-host');
    await page.mouse.move(5, 5);
  });

  await check('ui: the meshlint coverage view shows the mesh coverage', async () => {
    const pkg = JSON.parse(readFileSync(join(extPath, 'package.json'), 'utf8'));
    const views = Object.values(pkg.contributes?.views ?? {}).flat();
    const view = views.find((v) => /coverage/i.test(v.id) || /coverage/i.test(v.name ?? ''));
    if (!view) throw new Error(`package.json contributes.views has no coverage view (${views.map((v) => v.id).join(', ') || 'none'})`);
    await runCommand(page, `Focus on ${view.name} View`);
    // give the coverage tree the sidebar's height: collapse the other expanded explorer sections
    for (const header of await page.locator('.sidebar .pane-header.expanded').all()) {
      const title = (await header.innerText({ timeout: 1000 }).catch(() => '')) || '';
      if (!new RegExp(escape(view.name), 'i').test(title)) await header.click({ timeout: 2000 }).catch(() => {});
    }
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: new RegExp(escape(view.name), 'i') }) }).first();
    // the whole fixture: web, was (sidecar) and user-service (ambient) of 5 workloads
    await pane.locator('.monaco-list-row', { hasText: /60\s*%/ }).first().waitFor({ timeout: 30_000 }).catch(async () => {
      throw new Error(`coverage view does not show 60%: ${(await pane.innerText()).replace(/\s+/g, ' ').slice(0, 300)}`);
    });
    await shot('coverage-view');
  }, { needs: false });

  await check('ui: the mesh graph webview draws the blog-system and a click opens the manifest', async () => {
    await runCommand(page, 'meshlint: Show Mesh Graph');
    // webviews nest two iframes: the host frame and the page
    const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const node = view.locator('g.node[data-node="workload:blog-system/Deployment/was"]');
    await node.waitFor({ timeout: 30_000 });
    const edges = await view.locator('path.edge').count();
    if (edges < 4) throw new Error(`only ${edges} edges drawn`);
    await shot('mesh-graph');
    await node.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'deployment.yaml' }).first().waitFor({ timeout: 15_000 }).catch(async () => {
      throw new Error(`clicking was did not open was/deployment.yaml; tabs: ${(await page.locator('.tabs-container').allInnerTexts()).join(' | ')}`);
    });
  }, { needs: false });
}

async function openFile(page, rel) {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 5 } }).catch(() => {});
  await page.mouse.move(700, 400);
  await page.keyboard.press(`${MOD}+P`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(rel);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: rel.split('/').pop() }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 50);
