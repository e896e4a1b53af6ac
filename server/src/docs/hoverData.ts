/**
 * Typed access to the generated hover data (see scripts/gen-hover-data.ts, which writes the
 * JSON files next to this module). The JSON is loaded lazily on first use; esbuild bundles it.
 */

export interface FieldDoc {
  description: string;
  enum?: string[];
  type?: string;
}

export interface NginxDirectiveDoc {
  name: string;
  syntax: string[];
  default?: string;
  contexts: string[];
  module: string;
  block?: boolean;
  description: string;
  /** how many modules define a directive of this name (1 = unambiguous) */
  variants: number;
}

export interface NginxVariableDoc {
  /** name as documented, without `$` (e.g. `http_NAME` for `$http_user_agent`) */
  name: string;
  module: string;
  description: string;
}

interface RawField {
  d: string;
  e?: string[];
  t?: string;
}
interface FieldsFile {
  generatedBy: string;
  mounts: Record<string, Record<string, string>>;
  shared: Record<string, Record<string, RawField>>;
  kinds: Record<string, Record<string, RawField>>;
}
interface RawDirective {
  syntax: string[];
  default?: string;
  contexts: string[];
  module: string;
  block?: boolean;
  description: string;
}
interface NginxFile {
  generatedBy: string;
  directives: Record<string, RawDirective[]>;
  variables: Record<string, Array<{ module: string; description: string }>>;
}

let fieldsData: FieldsFile | undefined;
let nginxData: NginxFile | undefined;
function fields(): FieldsFile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (fieldsData ??= require('./k8s-fields.json') as FieldsFile);
}
function nginx(): NginxFile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (nginxData ??= require('./nginx-directives.json') as NginxFile);
}

/** Every prefix of every path of a table, so that a walk can tell `[]`, `*` and keys apart. */
const prefixCache = new Map<Record<string, RawField>, Set<string>>();
function prefixes(table: Record<string, RawField>): Set<string> {
  let set = prefixCache.get(table);
  if (!set) {
    set = new Set();
    for (const key of Object.keys(table)) {
      for (let i = 0; i < key.length; i++) {
        const c = key[i];
        if (c === '.' || c === '[') set.add(key.slice(0, i));
      }
      set.add(key);
    }
    prefixCache.set(table, set);
  }
  return set;
}

/** Older group names that serve the same kinds. */
const GROUP_ALIASES: Record<string, string> = {
  extensions: 'networking.k8s.io',
};

function kindKey(apiVersion: string, kind: string): string | undefined {
  const data = fields().kinds;
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  for (const g of [group, GROUP_ALIASES[group]]) {
    if (g !== undefined && data[`${g}/${kind}`]) return `${g}/${kind}`;
  }
  if (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet') {
    if (data[`apps/${kind}`]) return `apps/${kind}`;
  }
  return undefined;
}

/**
 * Resolves YAML path segments against a table: numeric segments are array indexes (`[]`) or
 * map keys (`*`, e.g. PeerAuthentication portLevelMtls ports), other segments are keys or map
 * keys. Returns the dotted table path, or undefined when the path leaves the schema.
 */
function resolvePath(table: Record<string, RawField>, segs: ReadonlyArray<string | number>): string | undefined {
  const known = prefixes(table);
  let cur = '';
  for (const raw of segs) {
    const seg = String(raw);
    const join = (k: string) => (cur ? `${cur}.${k}` : k);
    const numeric = /^\d+$/.test(seg);
    const candidates = numeric ? [`${cur}[]`, join('*')] : [join(seg), join('*')];
    const next = candidates.find((c) => known.has(c));
    if (next === undefined) return undefined;
    cur = next;
  }
  return cur;
}

function toFieldDoc(raw: RawField | undefined): FieldDoc | undefined {
  if (!raw) return undefined;
  const doc: FieldDoc = { description: raw.d };
  if (raw.e) doc.enum = raw.e;
  if (raw.t) doc.type = raw.t;
  return doc;
}

/**
 * Documentation of a field of a Kubernetes / Istio / Gateway API object.
 * @param apiVersion e.g. `networking.istio.io/v1` (the version is ignored: versions share docs)
 * @param path YAML keys from the document root, e.g. ['spec', 'trafficPolicy', 'tls', 'mode'];
 *   array indexes as numbers or digit strings.
 */
export function fieldDoc(apiVersion: string, kind: string, path: ReadonlyArray<string | number>): FieldDoc | undefined {
  if (path.length === 0) return undefined;
  const key = kindKey(apiVersion, kind);
  if (!key) return undefined;
  const data = fields();
  const table = data.kinds[key];
  // shared subtrees (ObjectMeta, PodSpec): longest mount prefix first
  const mounts = data.mounts[key];
  if (mounts) {
    const direct = resolvePath(table, path);
    const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
    for (const [prefix, name] of entries) {
      const prefixSegs = prefix.replace(/\[\]/g, '.0').split('.');
      if (path.length <= prefixSegs.length) continue;
      const head = resolvePath(table, path.slice(0, prefixSegs.length));
      if (head !== prefix) continue;
      const sub = data.shared[name];
      const rest = resolvePath(sub, path.slice(prefixSegs.length));
      return rest === undefined ? undefined : toFieldDoc(sub[rest]);
    }
    return direct === undefined ? undefined : toFieldDoc(table[direct]);
  }
  const p = resolvePath(table, path);
  return p === undefined ? undefined : toFieldDoc(table[p]);
}

/** The `<apiGroup>/<Kind>` keys that have field docs (e.g. `networking.istio.io/DestinationRule`). */
export function documentedKinds(): string[] {
  return Object.keys(fields().kinds);
}

function familyOf(context: readonly string[] | undefined): 'http' | 'stream' | 'mail' | undefined {
  if (!context || context.length === 0) return undefined;
  if (context.includes('stream')) return 'stream';
  if (context.includes('mail')) return 'mail';
  if (context.includes('http') || context.includes('location')) return 'http';
  return undefined;
}

function moduleFamily(module: string): 'http' | 'stream' | 'mail' | 'core' {
  if (module.startsWith('ngx_stream_')) return 'stream';
  if (module.startsWith('ngx_mail_')) return 'mail';
  if (module.startsWith('ngx_http_')) return 'http';
  return 'core';
}

/**
 * Documentation of an nginx directive.
 * @param context enclosing block names, outermost first (e.g. ['http', 'server', 'location']).
 *   A file included from `http` usually starts at `server`: without `stream`/`mail` in the
 *   context, http modules are preferred.
 */
export function nginxDirectiveDoc(name: string, context?: readonly string[]): NginxDirectiveDoc | undefined {
  const list = nginx().directives[name];
  if (!list || list.length === 0) return undefined;
  let best = list[0];
  if (list.length > 1) {
    const family = familyOf(context) ?? 'http';
    const inner = context && context.length > 0 ? context[context.length - 1] : undefined;
    const score = (d: RawDirective) => {
      let s = 0;
      const f = moduleFamily(d.module);
      if (f === family) s += 4;
      else if (f === 'core') s += 2;
      if (inner && (d.contexts.includes(inner) || (inner === 'if' && d.contexts.some((c) => c.startsWith('if'))))) s += 2;
      if (!inner && d.contexts.includes('main')) s += 1;
      return s;
    };
    best = list.reduce((a, b) => (score(b) > score(a) ? b : a));
  }
  return { name, ...best, variants: list.length };
}

/**
 * Documentation of an nginx variable; accepts `host`, `$host` or `${host}`. Variables such as
 * `$http_user_agent` resolve to their documented family (`http_NAME`).
 */
export function nginxVariableDoc(name: string, context?: readonly string[]): NginxVariableDoc | undefined {
  const vars = nginx().variables;
  const bare = name.replace(/^\$/, '').replace(/^\{(.*)\}$/, '$1');
  let key: string | undefined = vars[bare] ? bare : undefined;
  if (!key) {
    // longest documented prefix (`upstream_http_NAME` before `http_NAME`)
    let bestLen = -1;
    for (const k of Object.keys(vars)) {
      if (!k.endsWith('_NAME')) continue;
      const prefix = k.slice(0, -4);
      if (bare.startsWith(prefix) && bare.length > prefix.length && prefix.length > bestLen) {
        key = k;
        bestLen = prefix.length;
      }
    }
  }
  if (!key) return undefined;
  const list = vars[key];
  const family = familyOf(context) ?? 'http';
  const pick = list.find((v) => moduleFamily(v.module) === family) ?? list[0];
  return { name: key, module: pick.module, description: pick.description };
}
