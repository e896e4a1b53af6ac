/**
 * What is at an offset: the Kubernetes object and the YAML path under the cursor, or the nginx
 * directive (and which part of it). Pure: works on the model's parsed objects and nginx configs.
 */
import type { K8sObject } from '../source/yaml';
import { parseYaml, LEAN_KINDS } from '../source/yaml';
import type { YNode, YScalar } from '../source/ynode';
import { get, isMap, isScalar, isSeq } from '../source/ynode';
import type { NgxArg, NgxDirective } from '../source/nginx/ast';
import type { MeshModel, NginxConf } from '../model/model';

export interface YamlHit {
  obj: K8sObject;
  /** keys and sequence indexes from the object root to the node under the cursor */
  path: (string | number)[];
  /** the node under the cursor (the value when on a value, the key scalar when on a key) */
  node: YNode;
  /** true when the cursor is on a map key */
  onKey: boolean;
  start: number;
  end: number;
}

const within = (off: number, s: number, e: number) => off >= s && off <= e;

/** The innermost object of `file` whose root contains `offset` (List items beat the List). */
export function objectAt(objects: readonly K8sObject[], file: string, offset: number): K8sObject | undefined {
  let best: K8sObject | undefined;
  for (const o of objects) {
    if (o.file !== file || !within(offset, o.root.start, o.root.end)) continue;
    if (!best || o.root.end - o.root.start < best.root.end - best.root.start) best = o;
  }
  return best;
}

/** The YAML path at `offset` inside `obj`, or undefined when the cursor is on no key or value. */
export function yamlPathAt(obj: K8sObject, offset: number): YamlHit | undefined {
  const path: (string | number)[] = [];
  let cur: YNode = obj.root;
  for (let depth = 0; depth < 200; depth++) {
    if (isMap(cur)) {
      let next: YNode | undefined;
      for (const p of cur.items) {
        if (within(offset, p.key.start, p.key.end)) {
          path.push(String(p.key.v));
          return { obj, path, node: p.key, onKey: true, start: p.key.start, end: p.key.end };
        }
        if (p.value && within(offset, p.value.start, p.value.end)) {
          path.push(String(p.key.v));
          next = p.value;
          break;
        }
      }
      if (!next) return undefined;
      cur = next;
    } else if (isSeq(cur)) {
      const items: YNode[] = cur.items;
      const i: number = items.findIndex((it) => within(offset, it.start, it.end));
      if (i < 0) return undefined;
      path.push(i);
      cur = items[i];
    } else {
      return { obj, path, node: cur, onKey: false, start: cur.start, end: cur.end };
    }
  }
  return undefined;
}

/** The last file re-parsed with full trees (hovers come in runs on the same file). */
let fullCache: { file: string; text: string; objects: K8sObject[] } | undefined;

/**
 * The full-tree twin of `obj`: the same document (and List item) of `text` (the file's text the
 * object was parsed from) re-parsed with every field. The model keeps lean trees (source/yaml.ts
 * `leanContainers`); this is for features that show any field.
 */
export function fullObject(obj: K8sObject, text: string): K8sObject | undefined {
  if (!fullCache || fullCache.file !== obj.file || fullCache.text !== text) {
    fullCache = { file: obj.file, text, objects: parseYaml(obj.file, text, { full: true }).objects };
  }
  return fullCache.objects.find((o) => o.doc === obj.doc && o.listIndex === obj.listIndex);
}

/**
 * `yamlPathAt`, falling back to the full tree when the model's lean tree has nothing at `offset`
 * (a container field lean trees drop, e.g. `env`). The hit's `obj` is always the model's object;
 * the path is the same on both trees (lean trees only drop map pairs, never sequence items).
 */
export function yamlPathAtFull(model: Pick<MeshModel, 'text'>, obj: K8sObject, offset: number): YamlHit | undefined {
  const hit = yamlPathAt(obj, offset);
  if (hit || !LEAN_KINDS.has(obj.kind)) return hit;
  const text = model.text(obj.file);
  if (text === undefined) return undefined;
  const full = fullObject(obj, text);
  const h = full && full !== obj ? yamlPathAt(full, offset) : undefined;
  return h && { ...h, obj };
}

export interface NginxHit {
  conf: NginxConf;
  directive: NgxDirective;
  /** enclosing block directives, outermost first */
  chain: NgxDirective[];
  part: 'name' | 'arg';
  arg?: NgxArg;
  argIndex?: number;
  /** a `$variable` under the cursor inside the argument */
  variable?: { name: string; start: number; end: number };
}

/** The range a config covers in its file: the whole file, or the ConfigMap value holding it. */
export function confRange(conf: NginxConf): { start: number; end: number } | undefined {
  if (!conf.configMap) return { start: 0, end: Number.MAX_SAFE_INTEGER };
  const v = get(conf.configMap.root, 'data', conf.key ?? '');
  return v ? { start: v.start, end: v.end } : undefined;
}

/** The nginx directive at `offset` in `file` (standalone nginx or nginx embedded in a ConfigMap). */
export function nginxAt(model: MeshModel, file: string, offset: number): NginxHit | undefined {
  for (const conf of model.nginx) {
    if (conf.file !== file) continue;
    const r = confRange(conf);
    if (!r || !within(offset, r.start, r.end)) continue;
    const hit = directiveAt(conf.config.directives, offset, []);
    if (hit) return { conf, ...hit };
  }
  return undefined;
}

function directiveAt(items: readonly NgxDirective[], offset: number, chain: NgxDirective[]): Omit<NginxHit, 'conf'> | undefined {
  for (const d of items) {
    if (offset < d.start || offset > d.end) continue;
    if (within(offset, d.nameStart, d.nameEnd)) return { directive: d, chain, part: 'name' };
    for (let i = 0; i < d.args.length; i++) {
      const a = d.args[i];
      if (within(offset, a.start, a.end)) return { directive: d, chain, part: 'arg', arg: a, argIndex: i, variable: variableAt(a, offset) };
    }
    if (d.block && d.blockStart !== undefined && offset > d.blockStart) {
      const inner = directiveAt(d.block, offset, [...chain, d]);
      if (inner) return inner;
    }
    return undefined;
  }
  return undefined;
}

/** `$name` or `${name}` in the raw argument text covering `offset`. */
function variableAt(a: NgxArg, offset: number): NginxHit['variable'] {
  // raw offsets only map one-to-one when the token has no escapes; good enough for a hover
  const re = /\$(\{[A-Za-z0-9_]+\}|[A-Za-z0-9_]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(a.raw))) {
    const start = a.start + m.index;
    const end = start + m[0].length;
    if (within(offset, start, end)) return { name: m[1].replace(/^\{|\}$/g, ''), start, end };
  }
  return undefined;
}

export function isScalarNode(n: YNode | undefined): n is YScalar {
  return isScalar(n);
}
