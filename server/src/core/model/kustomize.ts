/**
 * Labels that kustomizations add to what they render (`commonLabels`, `labels[].pairs`): pod templates
 * in the workspace lack them, so a selector on such a key cannot be judged from the manifests alone.
 */
import type { MeshModel } from './model';

const cache = new WeakMap<MeshModel, Set<string>>();
const KUSTOMIZATION = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** Keys of labels that some kustomization of the workspace adds (read from the kustomization text). */
export function kustomizeLabelKeys(model: MeshModel): Set<string> {
  let keys = cache.get(model);
  if (keys) return keys;
  keys = new Set();
  for (const f of model.files) {
    if (!KUSTOMIZATION.test(f)) continue;
    const text = model.text(f) ?? '';
    for (const m of text.matchAll(/^(commonLabels|labels):[ \t]*(\{[^}\n]*\})?[ \t]*(?:#.*)?\n((?:[ \t-].*\n?|[ \t]*\n)*)/gm)) {
      const body = (m[2] ?? '') + '\n' + m[3];
      for (const k of body.matchAll(/(?:^|[{,\s-])["']?([A-Za-z0-9][\w./-]*)["']?[ \t]*:(?=[ \t]|$)/gm)) {
        if (!['pairs', 'includeSelectors', 'includeTemplates', 'fields', 'path', 'kind', 'group', 'version', 'create'].includes(k[1])) keys.add(k[1]);
      }
    }
  }
  cache.set(model, keys);
  return keys;
}

const renameCache = new WeakMap<MeshModel, boolean>();

/** Some kustomization of the workspace renames what it renders (`namePrefix` / `nameSuffix`): rendered names differ from the files'. */
export function kustomizeRenames(model: MeshModel): boolean {
  let r = renameCache.get(model);
  if (r !== undefined) return r;
  r = model.files.some((f) => KUSTOMIZATION.test(f) && /^(namePrefix|nameSuffix):[ \t]*["']?[^\s"'#]/m.test(model.text(f) ?? ''));
  renameCache.set(model, r);
  return r;
}
