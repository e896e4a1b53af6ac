import { defineRule } from './rule';
import { serviceEntryClashes, ServiceEntryClash } from '../model/serviceentry';
import { objSpan, str } from '../model/model';
import { sameUnit } from '../model/routing';
import type { K8sObject } from '../source/yaml';

function created(o: K8sObject): number | undefined {
  const t = Date.parse(str(o.root, 'metadata', 'creationTimestamp') ?? '');
  return Number.isFinite(t) ? t : undefined;
}

const proto = (p: string) => p || 'unset';

export default defineRule({
  id: 'serviceentry-duplicate',
  defaultSeverity: 'warning',
  description: 'Two ServiceEntries seen by the same proxies declare the same host and port: Istio keeps one definition (the oldest), so a different protocol, resolution or set of endpoints in the other is silently ignored.',
  kinds: ['ServiceEntry'],
  check({ model, report }) {
    // one finding per entry and host, naming every other entry it clashes with
    const groups = new Map<string, ServiceEntryClash[]>();
    for (const c of serviceEntryClashes(model, (a, b) => sameUnit(model, a, b))) {
      const k = `${c.obj.file}\u0000${c.hostNode.start}`;
      const l = groups.get(k);
      if (l) l.push(c);
      else groups.set(k, [c]);
    }
    for (const cs of groups.values()) {
      const c0 = cs[0];
      const me = `${c0.obj.ns}/${c0.obj.name}`;
      const protocol = cs.filter((c) => c.kind === 'protocol');
      const hard = cs.filter((c) => c.kind === 'duplicate' && !c.mergeable);
      const describe = (c: ServiceEntryClash) =>
        `${c.other.ns}/${c.other.name} (port${c.ports.length > 1 ? 's' : ''} ${c.ports.map((p) => (p.protocol === p.otherProtocol ? `${p.number} ${proto(p.protocol)}` : `${p.number}: ${proto(p.protocol)} here, ${proto(p.otherProtocol)} there`)).join(', ')})`;
      const all = [c0.obj, ...cs.map((c) => c.other)];
      const times = all.map(created);
      const oldest = times.every((t) => t !== undefined) && new Set(times).size === times.length ? all[times.indexOf(Math.min(...(times as number[])))] : undefined;
      const who = oldest
        ? `By metadata.creationTimestamp that is ${oldest.ns}/${oldest.name}.`
        : 'Which one is oldest is undefined from the files (the manifests carry no creationTimestamp): it depends on the order they were applied.';
      let message: string;
      let severity: 'warning' | 'information' | undefined;
      if (protocol.length) {
        message = `ServiceEntry ${me} and ${protocol.map(describe).join(', ')} declare host ${c0.host} on the same port with different protocols. A proxy keeps one service per host and, for a port both declare, the definition of the entry it took first, the oldest (Istio pilot/pkg/model/sidecar.go appendSidecarServices): traffic on that port is handled with one protocol and the other is silently ignored. ${who} Use one ServiceEntry per host, or the same protocol in both.`;
      } else if (hard.length) {
        message = `ServiceEntry ${me} and ${hard.map(describe).join(', ')} both declare host ${c0.host} with the same port, but Istio cannot merge them (it merges ServiceEntries for one host only within one namespace and with the same resolution, labels, workloadSelector and exportTo): a proxy that sees both keeps only one of them${hard.some((c) => c.other.ns !== c0.obj.ns) ? ' (its own namespace\'s entry when it has one, else one of them)' : ', the oldest,'} and ignores the other's definition (resolution, addresses, ports). ${hard.some((c) => c.other.ns !== c0.obj.ns) ? '' : who} Use one ServiceEntry per host.`;
      } else {
        severity = 'information';
        message = `ServiceEntry ${me} and ${cs.map(describe).join(', ')} both declare host ${c0.host} with the same port and protocol. A proxy keeps one service for the host and the oldest entry's definition wins where they overlap (Istio pilot/pkg/model/sidecar.go appendSidecarServices: an entry with the same ports is ignored, one with other ports is merged into it port by port), so edits to the common port in the newer entry have no effect. ${who} Consider one ServiceEntry per host.`;
      }
      report({
        file: c0.obj.file,
        start: c0.hostNode.start,
        end: c0.hostNode.end,
        severity,
        message: message.replace(/ {2,}/g, ' '),
        related: cs.map((c) => ({ span: objSpan(c.other), message: `ServiceEntry ${c.other.ns}/${c.other.name} also declares ${c.host}` })),
      });
    }
  },
});
