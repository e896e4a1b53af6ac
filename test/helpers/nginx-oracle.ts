/**
 * Debian's nginx as a test oracle: `nginx -t` on a config, with cluster host names rewritten to
 * 127.0.0.1 (nginx resolves upstream names at load time) and server{} snippets wrapped in http{}.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function nginxAvailable(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function prepareForOracle(conf: string): string {
  const upstreams = new Set([...conf.matchAll(/\bupstream\s+([^\s{]+)\s*\{/g)].map((m) => m[1]));
  // proxy_pass hosts -> 127.0.0.1 (ports kept); upstream block names stay
  let t = conf.replace(/\b(proxy_pass|grpc_pass)(\s+)(https?|grpcs?):\/\/([A-Za-z0-9_.-]+)/g, (m, d, ws, sch, host) => (upstreams.has(host) ? m : `${d}${ws}${sch}://127.0.0.1`));
  // `server host[:port]` inside upstream blocks -> 127.0.0.1
  t = t.replace(/\bupstream\s+[^\s{]+\s*\{[^}]*\}/g, (block) => block.replace(/(\bserver\s+)([A-Za-z][A-Za-z0-9_.-]*)/g, '$1127.0.0.1'));
  const top = t.replace(/#[^\n]*/g, '');
  if (/^\s*http\s*\{/m.test(top)) return /^\s*events\s*\{/m.test(top) ? t : `events {}\n${t}`;
  return `events {}\nhttp {\n${t}\n}\n`;
}

/** Runs `nginx -t`; returns null when the config is valid, else nginx's message. */
export function nginxTest(conf: string): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshlint-nginx-'));
  try {
    const file = path.join(dir, 'nginx.conf');
    fs.writeFileSync(file, prepareForOracle(conf));
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    const r = spawnSync('nginx', ['-t', '-q', '-p', dir + '/', '-e', '/dev/null', '-g', `pid ${dir}/pid; error_log /dev/null;`, '-c', file], { encoding: 'utf8', timeout: 10000 });
    return r.status === 0 ? null : (r.stderr || r.stdout || `exit ${r.status}`).trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
