import { defineRule } from './rule';
import type { Fix } from '../types';
import { replace } from '../fixes/edits';

export default defineRule({
  id: 'port-level-mtls-unknown-port',
  defaultSeverity: 'warning',
  description: 'A portLevelMtls key is not a container port of the selected workloads (keys are workload ports, not Service ports), so the setting never applies.',
  kinds: ['PeerAuthentication'],
  check({ model, report }) {
    for (const pa of model.peerAuths) {
      if (!pa.selector || !Object.keys(pa.selector).length || !pa.portLevel.length) continue;
      const ws = model.workloadsFor(pa.ns, pa.selector);
      if (!ws.length) continue;
      // a container without `ports:` may still listen anywhere: unknown, not missing
      if (ws.some((w) => !w.containers.length || w.containers.some((c) => !c.ports.length))) continue;
      const declared = new Set(ws.flatMap((w) => w.containers.flatMap((c) => c.ports.map((p) => p.containerPort))));
      const keys = new Set(pa.portLevel.map((p) => p.port));
      for (const pl of pa.portLevel) {
        if (!Number.isInteger(pl.port) || declared.has(pl.port)) continue;
        if (pl.port >= 15000 && pl.port <= 15090) continue; // Istio's own proxy ports
        // the Service port the author probably meant, and the container port it reaches
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
        const fixes: Fix[] = [];
        if (mapped.size === 1) {
          const n = [...mapped][0];
          if (!keys.has(n) && pl.keyNode.end - pl.keyNode.start === String(pl.port).length + (pl.keyNode.style === 'plain' ? 0 : 2)) {
            const quoted = pl.keyNode.style === 'single' ? `'${n}'` : pl.keyNode.style === 'double' ? `"${n}"` : String(n);
            fixes.push({ title: `Use container port ${n}`, edits: [replace(pa.obj.file, pl.keyNode.start, pl.keyNode.end, quoted)], preferred: true });
          }
        }
        const names = ws.slice(0, 3).map((w) => `${w.kind} ${w.name}`).join(', ');
        report({
          file: pa.obj.file,
          start: pl.keyNode.start,
          end: pl.keyNode.end,
          message: `portLevelMtls port ${pl.port} in PeerAuthentication ${pa.ns}/${pa.obj.name} is not a container port of ${names}${ws.length > 3 ? ', ...' : ''} (declared: ${[...declared].sort((a, b) => a - b).join(', ')}). Istio matches portLevelMtls keys against the workload's ports, not Service ports, so this ${pl.mode ?? ''} setting never applies${via.length ? `: ${via[0]}, so the key should be ${[...mapped].join(' or ')}` : ''}.`.replace('this  setting', 'this setting'),
          fixes,
        });
      }
    }
  },
});
