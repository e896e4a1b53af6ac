import { parseAllDocuments } from 'yaml';
import { defineRule } from './rule';
import type { Fix, TextEdit } from '../types';
import type { K8sObject } from '../source/yaml';
import { get, isMap, pair, type YMap, type YPair } from '../source/ynode';
import { applyEdits, replace } from '../fixes/edits';
import { eolOf, lineStartAt } from '../text';
import { TEMPLATE } from './istio-deprecated-annotation';
import { istioAnnotationFacts } from '../../docs/istioAnnotations';

/** Kinds whose own metadata is checked (istioctl: Namespace, Service, Pod, Deployment), with their API group. */
const OWN: Record<string, string> = {
  Namespace: '',
  Service: '',
  Pod: '',
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  ReplicaSet: 'apps',
  Job: 'batch',
  CronJob: 'batch',
};
/** Pod templates become Pods: their annotations are checked as a Pod's. */
const TEMPLATE_GROUP: Record<string, string> = { ...OWN, Rollout: 'argoproj.io' };

/** Pod annotations Istio itself writes on running Pods (the injector, the CNI): nobody should move them into a template. */
const WRITTEN_BY_ISTIO: Record<string, string> = {
  'sidecar.istio.io/status': 'the sidecar injector writes it on the Pods it injects',
  'istio.io/rev': 'the injector writes it on the Pods it injects; to choose a revision, set the istio.io/rev label on the pod template or the namespace',
  'ambient.istio.io/redirection': 'the Istio CNI writes it on the Pods it captures; to add a workload to ambient mode, set the istio.io/dataplane-mode label',
};

export default defineRule({
  id: 'istio-misplaced-annotation',
  defaultSeverity: 'warning',
  description: "A known Istio annotation on a kind it does not apply to, such as a pod annotation (`sidecar.istio.io/proxyCPU`) on a Service, a Namespace or a Deployment's own metadata instead of its pod template: Istio never reads it there (IST0107).",
  kinds: [...Object.keys(TEMPLATE_GROUP)],
  check({ model, report }) {
    for (const obj of model.objects) {
      if (OWN[obj.kind] === obj.group) {
        const meta = get(obj.root, 'metadata');
        if (isMap(meta)) check(obj, meta, obj.kind, false);
      }
      const tpath = TEMPLATE[obj.kind];
      if (tpath && TEMPLATE_GROUP[obj.kind] === obj.group) {
        const tmeta = get(obj.root, ...tpath);
        if (isMap(tmeta)) check(obj, tmeta, 'Pod', true);
      }
    }

    function check(obj: K8sObject, meta: YMap, kind: string, template: boolean): void {
      const ann = get(meta, 'annotations');
      if (!isMap(ann)) return;
      for (const it of ann.items) {
        const key = String(it.key.v);
        const fact = istioAnnotationFacts().current.get(key);
        // unknown and deprecated annotations are istio-deprecated-annotation's (IST0108, IST0135)
        if (!fact || fact.deprecated) continue;
        const kinds = fact.resources.filter((r) => r !== 'Unknown');
        if (kinds.includes('Any') || kinds.includes(kind) || !kinds.length) continue;
        const appliesTo = kinds.join(', ');
        const ref = obj.kind === 'Namespace' ? obj.name : `${obj.ns}/${obj.name}`;
        const where = template ? `the pod template of ${obj.kind} ${ref}` : `${obj.kind} ${ref}`;
        const tpath = TEMPLATE[obj.kind];
        let message: string;
        let fixes: Fix[] = [];
        if (!template && tpath && kinds.includes('Pod')) {
          const target = [...tpath, 'annotations'].join('.');
          const own = WRITTEN_BY_ISTIO[key];
          if (own) {
            message = `${where}: the annotation ${key} applies only to Pods (${own}); on the ${obj.kind}'s own metadata.annotations it has no effect.`;
          } else {
            const tmeta = get(obj.root, ...tpath);
            const already = isMap(tmeta) && !!pair(get(tmeta, 'annotations'), key);
            message = `${where}: the annotation ${key} applies to Pods, but it is on the ${obj.kind}'s own metadata.annotations, which Kubernetes does not copy to the Pods it creates, so Istio never sees it: move it to ${target}${already ? ' (the pod template already sets it, so this copy can be removed)' : ''}.`;
            const fix = moveFix(obj, ann, it, tpath, already);
            if (fix) fixes = [fix];
          }
        } else {
          message = `${where}: the annotation ${key} can only be applied to ${appliesTo} (Istio's annotation list), so on a ${kind} Istio ignores it.`;
        }
        report({ file: obj.file, start: it.key.start, end: it.key.end, message, fixes });
      }
    }

    /**
     * Move one annotation (its lines, with the comment lines just above it) from a workload's own metadata.annotations
     * into its pod template's annotations; only when that takes whole-line edits of block-style YAML.
     */
    function moveFix(obj: K8sObject, ann: YMap, it: YPair, tpath: string[], already: boolean): Fix | undefined {
      const text = model.text(obj.file);
      if (!text || ann.flow || !it.value || it.value.t !== 's') return undefined;
      const eol = eolOf(text);
      const keyLine = lineStartAt(text, it.key.start);
      const oldIndent = text.slice(keyLine, it.key.start);
      if (!/^ *$/.test(oldIndent)) return undefined;
      // the rest of the value's last line may hold a comment only
      let end = text.indexOf('\n', it.value.end);
      end = end < 0 ? text.length : end + 1;
      if (!/^[ \t]*(#.*)?\r?\n?$/.test(text.slice(it.value.end, end))) return undefined;
      // comment lines just above the annotation go with it
      const idx = ann.items.indexOf(it);
      const prev = idx > 0 ? ann.items[idx - 1] : undefined;
      const metaAnn = pair(get(obj.root, 'metadata'), 'annotations');
      if (!metaAnn || metaAnn.value !== ann) return undefined;
      const floor = prev ? (prev.value ?? prev.key).end : metaAnn.key.end;
      let start = keyLine;
      while (start > 0) {
        const ls = lineStartAt(text, start - 1);
        if (ls <= floor || !/^ *#/.test(text.slice(ls, start)) || !text.slice(ls, start).startsWith(oldIndent)) break;
        start = ls;
      }
      const edits: TextEdit[] = [];
      // the annotations map empties: remove its key line as well
      if (ann.items.length === 1) {
        const annLine = lineStartAt(text, metaAnn.key.start);
        if (!/^ *$/.test(text.slice(annLine, metaAnn.key.start)) || !/^[ \t]*:[ \t]*\r?\n(?:[ \t]*\r?\n)*$/.test(text.slice(metaAnn.key.end, start))) return undefined;
        edits.push(replace(obj.file, annLine, end, ''));
      } else edits.push(replace(obj.file, start, end, ''));
      if (!already) {
        const ins = insertion(text, obj, tpath);
        if (!ins) return undefined;
        const moved = text.slice(start, end).replace(/\r?\n$/, '').split(/\r?\n/);
        if (moved.some((l) => l.trim() !== '' && !l.startsWith(oldIndent))) return undefined;
        const lines = [...ins.head, ...moved.map((l) => (l.trim() === '' ? '' : ins.indent + l.slice(oldIndent.length)))];
        const body = lines.join(eol) + eol;
        edits.push(replace(obj.file, ins.at, ins.at, ins.at === text.length && !text.endsWith('\n') ? eol + body.slice(0, -eol.length) : body));
      }
      // the result must still parse, with the same number of documents
      const after = applyEdits(text, edits);
      const docs = parseAllDocuments(after);
      if (!Array.isArray(docs) || docs.length !== (parseAllDocuments(text) as unknown[]).length || docs.some((d) => d.errors.length)) return undefined;
      const title = already ? `Remove ${it.key.v} (the pod template already sets it)` : `Move ${it.key.v} to ${[...tpath, 'annotations'].join('.')}`;
      return { title, edits, preferred: true };
    }

    /** Where the pod template's annotations take a new entry: the offset of a line start, the entry indentation, and lines to add first. */
    function insertion(text: string, obj: K8sObject, tpath: string[]): { at: number; indent: string; head: string[] } | undefined {
      const metaPair = pair(get(obj.root, ...tpath.slice(0, -1)), 'metadata');
      const tmeta = metaPair?.value;
      if (!metaPair || !isMap(tmeta) || tmeta.flow || !tmeta.items.length) return undefined;
      const col = (p: YPair) => {
        const ls = lineStartAt(text, p.key.start);
        return /^ *$/.test(text.slice(ls, p.key.start)) ? p.key.start - ls : -1;
      };
      const after = (offset: number) => {
        const nl = text.indexOf('\n', offset);
        return nl < 0 ? text.length : nl + 1;
      };
      const metaCol = col(metaPair);
      const first = tmeta.items[0];
      const childCol = col(first);
      if (metaCol < 0 || childCol <= metaCol || lineStartAt(text, first.key.start) === lineStartAt(text, metaPair.key.start)) return undefined;
      const step = childCol - metaCol;
      const tAnn = pair(tmeta, 'annotations');
      if (!tAnn) return { at: after(metaPair.key.end), indent: ' '.repeat(childCol + step), head: [' '.repeat(childCol) + 'annotations:'] };
      const annCol = col(tAnn);
      if (annCol < 0) return undefined;
      if (tAnn.value === null || (tAnn.value.t === 's' && tAnn.value.v === null && tAnn.value.start === tAnn.value.end)) {
        if (!/^[ \t]*:[ \t]*(#.*)?$/.test(text.slice(tAnn.key.end, after(tAnn.key.end)).replace(/\r?\n$/, ''))) return undefined;
        return { at: after(tAnn.key.end), indent: ' '.repeat(annCol + step), head: [] };
      }
      if (!isMap(tAnn.value) || tAnn.value.flow || !tAnn.value.items.length) return undefined;
      const last = tAnn.value.items[tAnn.value.items.length - 1];
      const c = col(tAnn.value.items[0]);
      if (c <= annCol) return undefined;
      return { at: after((last.value ?? last.key).end), indent: ' '.repeat(c), head: [] };
    }
  },
});
