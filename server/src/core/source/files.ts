/**
 * Which files the core reads, and as what. Pure path logic: no file system access.
 */

export type FileKind = 'yaml' | 'nginx' | 'other';

const NGINX_HINT = /(^|[\s{;])(server|location|upstream|proxy_pass|listen|http|events|server_name|root|include|worker_processes)\s/;

export function classifyPath(path: string): FileKind {
  const p = path.toLowerCase();
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (base.endsWith('.yaml') || base.endsWith('.yml')) return 'yaml';
  if (base === 'nginx.conf' || base.endsWith('.conf') || base.endsWith('.conf.template') || base.endsWith('.nginx')) return 'nginx';
  if (/(^|\/)(sites-(available|enabled)|conf\.d|nginx)\//.test(p) && !base.includes('.')) return 'nginx';
  return 'other';
}

/** nginx.conf and files under nginx-ish folders are nginx; other *.conf files only when they read like nginx. */
export function isDefinitelyNginx(path: string): boolean {
  const p = path.toLowerCase();
  const base = p.slice(p.lastIndexOf('/') + 1);
  return base === 'nginx.conf' || base.includes('nginx') || /(^|\/)(sites-(available|enabled)|conf\.d|nginx)\//.test(p) || base.endsWith('.conf.template');
}

/**
 * nginx-shaped text: nginx words, and most statement lines end in `;`, `{` or `}` (HCL, INI,
 * fluentd and supervisord configs, also named *.conf, do not).
 */
export function looksLikeNginx(text: string): boolean {
  const head = text.slice(0, 20000);
  if (!NGINX_HINT.test(head)) return false;
  let terminated = 0;
  let other = 0;
  for (const raw of head.split('\n')) {
    const l = raw.trim();
    if (!l || l.startsWith('#')) continue;
    if (/[;{}]\s*(#.*)?$/.test(l)) terminated++;
    else other++;
  }
  return terminated > 0 && terminated >= 2 * other;
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Binary or non-text content: NUL bytes or many replacement characters. */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 8192);
  if (sample.includes('\u0000')) return true;
  if (!sample.includes('\ufffd')) return false; // the common case, without a per-character loop
  let bad = 0;
  for (let i = 0; i < sample.length; i++) if (sample.charCodeAt(i) === 0xfffd) bad++;
  return bad > 8 && bad > sample.length / 100;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Join and normalise a POSIX path; returns undefined when it escapes above the root. */
export function joinPath(dir: string, rel: string): string | undefined {
  const parts = (dir ? dir.split('/') : []).concat(rel.split('/'));
  const out: string[] = [];
  for (const seg of parts) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}
