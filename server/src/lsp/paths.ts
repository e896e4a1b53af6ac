/**
 * Maps LSP URIs to the core's file keys and back. The core works on workspace-relative POSIX
 * paths: with one workspace folder a key is the path relative to it; with several it is
 * `<folder name>/<relative path>`; a file outside every folder keys by its absolute POSIX path.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Folder {
  uri: string;
  name: string;
  /** absolute file-system path */
  fsPath: string;
  /** key prefix ('' with a single folder, else `<name>/`) */
  prefix: string;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export function uriToFsPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class Paths {
  private folders: Folder[] = [];
  /** exact URIs the client used for open documents (so we answer in its spelling) */
  private readonly clientUris = new Map<string, string>();

  setFolders(folders: { uri: string; name: string }[]): void {
    const out: Folder[] = [];
    const names = new Set<string>();
    for (const f of folders) {
      const fsPath = uriToFsPath(f.uri);
      if (!fsPath) continue;
      let name = (f.name || path.basename(fsPath) || 'root').replace(/[\\/]/g, '_');
      for (let i = 2; names.has(name); i++) name = `${f.name}-${i}`;
      names.add(name);
      out.push({ uri: f.uri, name, fsPath: path.resolve(fsPath), prefix: '' });
    }
    if (out.length > 1) for (const f of out) f.prefix = `${f.name}/`;
    // deepest folder first, so nested folders win
    this.folders = out.sort((a, b) => b.fsPath.length - a.fsPath.length);
  }

  list(): readonly Folder[] {
    return this.folders;
  }

  /** The folder containing an absolute path, if any. */
  folderOf(fsPath: string): Folder | undefined {
    const abs = path.resolve(fsPath);
    return this.folders.find((f) => abs === f.fsPath || abs.startsWith(f.fsPath.endsWith(path.sep) ? f.fsPath : f.fsPath + path.sep));
  }

  /** Key for an absolute file-system path. */
  keyOfFsPath(fsPath: string): string {
    const abs = path.resolve(fsPath);
    const f = this.folderOf(abs);
    if (f) return f.prefix + toPosix(path.relative(f.fsPath, abs));
    return toPosix(abs);
  }

  /** Key for a URI; undefined for non-file URIs. */
  key(uri: string): string | undefined {
    const p = uriToFsPath(uri);
    return p === undefined ? undefined : this.keyOfFsPath(p);
  }

  /** Path of a key relative to its folder (what exclude globs match), or undefined outside folders. */
  relative(key: string): string | undefined {
    const f = this.folderOfKey(key);
    return f ? key.slice(f.prefix.length) : undefined;
  }

  private folderOfKey(key: string): Folder | undefined {
    if (isAbsoluteKey(key)) return undefined;
    if (this.folders.length === 1) return this.folders[0];
    return this.folders.find((f) => key.startsWith(f.prefix));
  }

  fsPath(key: string): string {
    const f = this.folderOfKey(key);
    if (!f) return path.resolve(key);
    return path.join(f.fsPath, ...key.slice(f.prefix.length).split('/'));
  }

  rememberUri(key: string, uri: string): void {
    this.clientUris.set(key, uri);
  }

  uri(key: string): string {
    return this.clientUris.get(key) ?? pathToFileURL(this.fsPath(key)).href;
  }
}

function isAbsoluteKey(key: string): boolean {
  return key.startsWith('/') || /^[A-Za-z]:\//.test(key);
}
