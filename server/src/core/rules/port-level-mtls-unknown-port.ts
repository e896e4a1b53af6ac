import { defineRule } from './rule';
import type { Fix } from '../types';
import { replace } from '../fixes/edits';

export default defineRule({
  id: 'port-level-mtls-unknown-port',
  defaultSeverity: 'warning',
  description: 'A portLevelMtls key is a Service port that maps to another targetPort (keys are the ports the workload receives on, not Service ports), so the setting never applies.',
  kinds: ['PeerAuthentication'],
  check({ model, report }) {
    for (const pa of model.peerAuths) {
      if (!pa.selector || !Object.keys(pa.selector).length || !pa.portLevel.length) continue;
      if (pa.ns === model.meshConfig.rootNamespace) continue; // Istio ignores selector policies in the root namespace
      const ws = model.workloadsFor(pa.ns, pa.selector);
      if (!ws.length) continue;
      // a container without `ports:` may listen anywhere: nothing to compare against
      if (ws.some((w) => !w.containers.length || w.containers.some((c) => !c.ports.length))) continue;
      // Istio keys portLevelMtls by the port the workload receives on: the Service targetPort (declared
      // containerPorts are informational; an undeclared targetPort is a real port)
      const declared = new Set(ws.flatMap((w) => w.containers.flatMap((c) => c.ports.map((p) => p.containerPort))));
      const targets = new Set<number>();
      for (const w of ws) for (const s of model.servicesOf(w)) for (const sp of s.ports) {
        const cp = model.containerPort(s, sp, w);
        if (cp !== undefined) targets.add(cp);
      }
      const keys = new Set(pa.portLevel.map((p) => p.port));
      for (const pl of pa.portLevel) {
        if (!Number.isInteger(pl.port) || declared.has(pl.port) || targets.has(pl.port)) continue;
        if (pl.port >= 15000 && pl.port <= 15090) continue; // Istio's own proxy ports
        // the real failure: the key is a Service port that reaches another targetPort
        const mapped = new Set<number>();
        const via: string[] = [];
        for (const w of ws) {
          for (const s of model.servicesOf(w)) {
            for (const sp of s.ports) {
              if (sp.port !== pl.port) continue;
              const cp = model.containerPort(s, sp, w);
              if (cp !== undefined && cp !== pl.port) {
                mapped.add(cp);
                via.push(`Service ${s.name} port ${sp.port} -> targetPort ${cp}`);
              }
            }
          }
        }
        const names = ws.slice(0, 3).map((w) => `${w.kind} ${w.name}`).join(', ') + (ws.length > 3 ? ', ...' : '');
        const fixes: Fix[] = [];
        if (mapped.size === 1) {
          const n = [...mapped][0];
          if (!keys.has(n) && pl.keyNode.end - pl.keyNode.start === String(pl.port).length + (pl.keyNode.style === 'plain' ? 0 : 2)) {
            const quoted = pl.keyNode.style === 'single' ? `'${n}'` : pl.keyNode.style === 'double' ? `"${n}"` : String(n);
            fixes.push({ title: `Use container port ${n}`, edits: [replace(pa.obj.file, pl.keyNode.start, pl.keyNode.end, quoted)], preferred: true });
          }
        }
        if (via.length) {
          report({
            file: pa.obj.file,
            start: pl.keyNode.start,
            end: pl.keyNode.end,
            message: `portLevelMtls port ${pl.port} in PeerAuthentication ${pa.ns}/${pa.obj.name} is a Service port, not a port ${names} receive${ws.length > 1 ? '' : 's'} on: ${via[0]}. Istio matches portLevelMtls keys against the workload's target ports, so this ${pl.mode ?? 'UNSET'} setting never applies; the key should be ${[...mapped].join(' or ')}.`,
            fixes,
          });
          continue;
        }
        // neither a declared container port nor a Service targetPort: unknown whether anything listens there
        const known = [...new Set([...declared, ...targets])].sort((a, b) => a - b);
        report({
          file: pa.obj.file,
          start: pl.keyNode.start,
          end: pl.keyNode.end,
          severity: 'information',
          message: `portLevelMtls port ${pl.port} in PeerAuthentication ${pa.ns}/${pa.obj.name} is neither a declared container port nor a Service targetPort of ${names} (known: ${known.join(', ')}). meshlint cannot see whether anything listens on ${pl.port}; if nothing does, this ${pl.mode ?? 'UNSET'} setting has no effect.`,
          fixes,
        });
      }
    }
  },
});
