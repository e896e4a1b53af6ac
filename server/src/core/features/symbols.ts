/**
 * Outline and workspace symbols: one symbol per Kubernetes object (kind and name; a ConfigMap holding
 * nginx lists its blocks), nginx `server` / `location` / `upstream` blocks nested as nginx nests them.
 * Pure: spans in, the LSP adapter converts them.
 */
import type { K8sObject } from '../source/yaml';
import type { NgxDirective } from '../source/nginx/ast';
import type { MeshModel, NginxConf } from '../model/model';
import { nameNode } from '../model/model';

export type SymbolClass = 'workload' | 'service' | 'policy' | 'routing' | 'config' | 'namespace' | 'object' | 'nginx-server' | 'nginx-location' | 'nginx-upstream' | 'nginx-block';

export interface MeshSymbol {
  name: string;
  detail: string;
  cls: SymbolClass;
  file: string;
  start: number;
  end: number;
  selStart: number;
  selEnd: number;
  children: MeshSymbol[];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet', 'Rollout']);
const POLICIES = new Set(['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication', 'NetworkPolicy']);
const CONFIGS = new Set(['ConfigMap', 'Secret']);
const ROUTING = new Set(['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'Ingress', 'ReferenceGrant']);

function classOf(kind: string): SymbolClass {
  if (WORKLOADS.has(kind)) return 'workload';
  if (kind === 'Service') return 'service';
  if (POLICIES.has(kind)) return 'policy';
  if (ROUTING.has(kind)) return 'routing';
  if (CONFIGS.has(kind)) return 'config';
  if (kind === 'Namespace') return 'namespace';
  return 'object';
}

function objectSymbol(model: MeshModel, o: K8sObject): MeshSymbol {
  const n = nameNode(o);
  const sel = n ?? o.root;
  const sym: MeshSymbol = {
    name: o.name || '(unnamed)',
    detail: o.declaredNamespace ? `${o.kind} · ${o.ns}` : o.kind,
    cls: classOf(o.kind),
    file: o.file,
    start: o.root.start,
    end: o.root.end,
    selStart: sel.start,
    selEnd: o.root.end < sel.end ? o.root.end : sel.end,
    children: [],
  };
  if (o.kind === 'ConfigMap') for (const c of model.nginx) if (c.configMap === o) sym.children.push(...nginxSymbols(c));
  return sym;
}

function blockName(d: NgxDirective): { name: string; cls: SymbolClass } | undefined {
  const args = d.args.map((a) => a.value).join(' ');
  switch (d.name) {
    case 'server': {
      const names = d.block?.filter((x) => x.name === 'server_name').flatMap((x) => x.args.map((a) => a.value)) ?? [];
      const listen = d.block?.find((x) => x.name === 'listen')?.args[0]?.value;
      return { name: `server ${names.join(' ') || (listen ? `:${listen}` : '')}`.trim(), cls: 'nginx-server' };
    }
    case 'location':
      return { name: `location ${args}`, cls: 'nginx-location' };
    case 'upstream':
      return { name: `upstream ${args}`, cls: 'nginx-upstream' };
    case 'http':
    case 'stream':
    case 'events':
    case 'map':
    case 'if':
    case 'limit_except':
      return { name: `${d.name}${args ? ` ${args}` : ''}`, cls: 'nginx-block' };
    default:
      return undefined;
  }
}

function blocks(file: string, items: readonly NgxDirective[]): MeshSymbol[] {
  const out: MeshSymbol[] = [];
  for (const d of items) {
    if (!d.block) continue;
    const b = blockName(d);
    const children = blocks(file, d.block);
    if (!b) {
      out.push(...children);
      continue;
    }
    out.push({ name: b.name, detail: 'nginx', cls: b.cls, file, start: d.start, end: d.end, selStart: d.nameStart, selEnd: d.args.length ? d.args[d.args.length - 1].end : d.nameEnd, children });
  }
  return out;
}

export function nginxSymbols(conf: NginxConf): MeshSymbol[] {
  return blocks(conf.file, conf.config.directives);
}

/** The outline of one file: its objects in order (and nginx blocks), or the blocks of an nginx file. */
export function documentSymbols(model: MeshModel, file: string): MeshSymbol[] {
  const objs = model.objects.filter((o) => o.file === file).sort((a, b) => a.root.start - b.root.start);
  if (objs.length) return objs.map((o) => objectSymbol(model, o));
  return model.nginx.filter((c) => c.file === file && !c.configMap).flatMap((c) => nginxSymbols(c));
}

/** Every object whose name or `kind name` matches the query (case-insensitive, characters in order). */
export function workspaceSymbols(model: MeshModel, query: string, limit = 500): MeshSymbol[] {
  const q = query.toLowerCase().replace(/\s+/g, '');
  const out: MeshSymbol[] = [];
  for (const o of model.objects) {
    if (!o.name) continue;
    if (q && !subsequence(q, o.name.toLowerCase()) && !subsequence(q, `${o.kind}${o.name}`.toLowerCase())) continue;
    out.push(objectSymbol(model, o));
    if (out.length >= limit) break;
  }
  return out;
}

function subsequence(q: string, s: string): boolean {
  let i = 0;
  for (let j = 0; j < s.length && i < q.length; j++) if (s[j] === q[i]) i++;
  return i === q.length;
}
