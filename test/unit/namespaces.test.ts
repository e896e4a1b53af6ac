/** Effective namespaces: a kustomization's `namespace` overrides what resources declare (kustomize's namespace transformer). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/core/engine';

const objects = `apiVersion: v1
kind: Service
metadata:
  name: declared
  namespace: staging
spec:
  selector: { app: a }
  ports: [{ name: http, port: 80 }]
---
apiVersion: v1
kind: Service
metadata:
  name: undeclared
spec:
  selector: { app: a }
  ports: [{ name: http, port: 80 }]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: reader
  namespace: staging
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: v1
kind: Namespace
metadata:
  name: prod
`;

function namespaces(files: { path: string; text: string }[]): Record<string, string> {
  const r = analyze(files);
  return Object.fromEntries(r.model.objects.map((o) => [`${o.kind}/${o.name}`, o.ns]));
}

test('a kustomization namespace overrides declared namespaces of namespaced kinds, not of cluster-scoped ones', () => {
  const ns = namespaces([
    { path: 'app/objects.yaml', text: objects },
    { path: 'app/kustomization.yaml', text: 'namespace: prod\nresources:\n- objects.yaml\n' },
  ]);
  assert.equal(ns['Service/declared'], 'prod');
  assert.equal(ns['Service/undeclared'], 'prod');
  assert.equal(ns['IngressClass/reader'], 'staging');
});

test('without a kustomization the declared namespace holds, else default', () => {
  const ns = namespaces([{ path: 'app/objects.yaml', text: objects }]);
  assert.equal(ns['Service/declared'], 'staging');
  assert.equal(ns['Service/undeclared'], 'default');
});

test('a kustomization without namespace changes nothing', () => {
  const ns = namespaces([
    { path: 'app/objects.yaml', text: objects },
    { path: 'app/kustomization.yaml', text: 'resources:\n- objects.yaml\n' },
  ]);
  assert.equal(ns['Service/declared'], 'staging');
  assert.equal(ns['Service/undeclared'], 'default');
});

test('a file beside a kustomization that does not list it keeps its declared namespace (undeclared ones take the guess)', () => {
  const ns = namespaces([
    { path: 'app/objects.yaml', text: objects },
    { path: 'app/other.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: other\nspec:\n  ports: [{ port: 80 }]\n' },
    { path: 'app/kustomization.yaml', text: 'namespace: prod\nresources:\n- other.yaml\n' },
  ]);
  assert.equal(ns['Service/declared'], 'staging');
  assert.equal(ns['Service/undeclared'], 'prod');
  assert.equal(ns['Service/other'], 'prod');
});

test('a kustomization listing a folder covers the files below it', () => {
  const ns = namespaces([
    { path: 'deploy/base/objects.yaml', text: objects },
    { path: 'deploy/kustomization.yaml', text: 'namespace: prod\nresources:\n- base\n' },
  ]);
  assert.equal(ns['Service/declared'], 'prod');
});
