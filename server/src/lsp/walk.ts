/**
 * Asynchronous file discovery for the language server: the same files as `discover()` in
 * workspace/discover.ts (same skipped folders, excludes, symlink containment, sort order), but
 * every directory read awaits, so a large tree never blocks the server's event loop and
 * requests keep being answered while it is listed. test/lsp/walk.test.ts checks both agree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { classifyPath } from '../core/source/files';
import { DEFAULT_EXCLUDES, SKIP_DIRS, type DiscoverOptions } from '../workspace/discover';

async function safeStat(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.stat(p);
  } catch {
    return undefined;
  }
}

async function safeRealpath(p: string): Promise<string | undefined> {
  try {
    return await fs.promises.realpath(p);
  } catch {
    return undefined;
  }
}

/** Candidate files (YAML and nginx) below a root, as absolute paths, sorted. */
export async function walk(root: string, opts: DiscoverOptions & { cancelled?: () => boolean } = {}): Promise<string[]> {
  const isExcluded = picomatch([...DEFAULT_EXCLUDES, ...(opts.excludes ?? [])], { dot: true });
  const max = opts.maxFiles ?? 200_000;
  const out: string[] = [];
  const realRoot = await safeRealpath(root);
  if (!realRoot) return out;
  const st = await safeStat(root);
  if (st?.isFile()) return classifyPath(root.replace(/\\/g, '/')) === 'other' ? [] : [root];
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot + path.sep);
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length && out.length < max) {
    if (opts.cancelled?.()) return [];
    const dir = stack.pop()!;
    const real = await safeRealpath(dir);
    if (!real || seen.has(real) || !inside(real)) continue; // loops and links out of the root
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : -1));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      const isDir = e.isDirectory() || (e.isSymbolicLink() && (await safeStat(full))?.isDirectory());
      if (isDir) {
        if (SKIP_DIRS.has(e.name) || isExcluded(rel + '/') || isExcluded(rel)) continue;
        stack.push(full);
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (isExcluded(rel) || classifyPath(rel) === 'other') continue;
        if (e.isSymbolicLink()) {
          const r = await safeRealpath(full);
          if (!r || !r.startsWith(realRoot + path.sep)) continue;
        }
        out.push(full);
      }
    }
  }
  return out.sort();
}
