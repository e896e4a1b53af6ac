/**
 * extensionTestsPath entry: VS Code's extension host requires this file and awaits `run()`.
 * Runs every `*.e2e.js` bundle next to it with mocha (tdd ui) and reports each result as one
 * console.log line that test/e2e/run.mjs parses (console output of the extension host reaches the
 * runner through codeAutomationLog in code-server, through stdout in desktop VS Code):
 *   [[e2e:suite]] <title>
 *   [[e2e:pass]] <full title> (<ms>ms)
 *   [[e2e:fail]] <full title>\n<message and stack>
 *   [[e2e:end]] {"passed":N,"failed":N,"pending":N}
 * MESHLINT_E2E_GREP (a regular expression on full titles) selects tests.
 */
import Mocha from 'mocha';
import * as fs from 'node:fs';
import * as path from 'node:path';

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class LineReporter {
  constructor(runner: Mocha.Runner) {
    let passed = 0;
    let failed = 0;
    let pending = 0;
    runner.on(EVENT_SUITE_BEGIN, (s: Mocha.Suite) => {
      if (s.title) console.log(`[[e2e:suite]] ${s.fullTitle()}`);
    });
    runner.on(EVENT_TEST_PASS, (t: Mocha.Test) => {
      passed++;
      console.log(`[[e2e:pass]] ${t.fullTitle()} (${t.duration ?? 0}ms)`);
    });
    runner.on(EVENT_TEST_FAIL, (t: Mocha.Test, err: Error) => {
      failed++;
      const detail = (err && (err.stack || err.message)) || String(err);
      console.log(`[[e2e:fail]] ${t.fullTitle()}\n${detail}`);
    });
    runner.on(EVENT_TEST_PENDING, (t: Mocha.Test) => {
      pending++;
      console.log(`[[e2e:pending]] ${t.fullTitle()}`);
    });
    runner.once(EVENT_RUN_END, () => {
      console.log(`[[e2e:end]] ${JSON.stringify({ passed, failed, pending })}`);
    });
  }
}

export function run(): Promise<void> {
  process.setSourceMapsEnabled?.(true); // stack traces point into suite/*.ts
  const grep = process.env.MESHLINT_E2E_GREP;
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: 90_000,
    reporter: LineReporter as unknown as typeof Mocha.reporters.Base,
    ...(grep ? { grep: new RegExp(grep) } : {}),
  });
  const dir = __dirname;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.e2e.js')).sort();
  // the harness smoke test first: when it fails, nothing else is worth reading
  files.sort((a, b) => Number(b.startsWith('smoke')) - Number(a.startsWith('smoke')));
  for (const f of files) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} e2e test(s) failed`)) : resolve()));
    } catch (e) {
      console.log(`[[e2e:fail]] loading the e2e suite\n${(e as Error).stack ?? e}`);
      reject(e);
    }
  });
}
