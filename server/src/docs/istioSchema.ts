/**
 * Typed access to the generated Istio schema data (scripts/gen-schema-data.ts writes
 * istio-schema.json next to this module from @kubernetes-models/istio). Loaded on first use.
 */

/**
 * A schema node: `s` string, `n` number, `b` boolean, `x` anything (not checked); `{e}` a string
 * enum; `{p}` an object with known fields; `{m}` a map of arbitrary keys (with `p`: known fields
 * plus arbitrary others); `{a}` an array; `{u}` one of several types.
 */
export type SchemaNode = 's' | 'n' | 'b' | 'x' | { e?: string[]; p?: Record<string, SchemaNode>; m?: SchemaNode; a?: SchemaNode; u?: SchemaNode[] };

interface SchemaFile {
  generatedBy: string;
  sources: Record<string, string>;
  istio: string;
  trees: SchemaNode[];
  kinds: Record<string, number>;
}

let data: SchemaFile | undefined;
function schemaData(): SchemaFile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (data ??= require('./istio-schema.json') as SchemaFile);
}

/** The API groups the schema data covers. */
export const SCHEMA_GROUPS: ReadonlySet<string> = new Set(['networking.istio.io', 'security.istio.io', 'telemetry.istio.io']);

/** The schema of `kind` as served under exactly this apiVersion (e.g. `networking.istio.io/v1beta1`); undefined when unknown. */
export function istioSchema(apiVersion: string, kind: string): SchemaNode | undefined {
  const i = schemaData().kinds[`${apiVersion}/${kind}`];
  return i === undefined ? undefined : schemaData().trees[i];
}

/** The Istio release the schema data was generated from (e.g. `1.29.2`). */
export function istioSchemaRelease(): string {
  return schemaData().istio;
}

/**
 * The Gateway API and core Kubernetes schema data (k8s-schema.json, written by the same generator):
 * Gateway API kinds from @kubernetes-models/gateway-api, core kinds from kubernetes-models pruned
 * to the fields the model reads.
 */
interface K8sSchemaFile {
  generatedBy: string;
  sources: Record<string, string>;
  /** API group ("" for core) -> "<package> <version>" */
  groups: Record<string, string>;
  trees: SchemaNode[];
  kinds: Record<string, number>;
}
let k8sData: K8sSchemaFile | undefined;
function k8sSchemaData(): K8sSchemaFile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (k8sData ??= require('./k8s-schema.json') as K8sSchemaFile);
}

/** The API groups of the Gateway API and core Kubernetes schema data ("" is the core group). */
export const K8S_SCHEMA_GROUPS: ReadonlySet<string> = new Set(['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io', '', 'apps', 'networking.k8s.io']);

/** The Gateway API or core Kubernetes schema of `kind` under exactly this apiVersion; undefined when unknown. */
export function k8sSchema(apiVersion: string, kind: string): SchemaNode | undefined {
  const i = k8sSchemaData().kinds[`${apiVersion}/${kind}`];
  return i === undefined ? undefined : k8sSchemaData().trees[i];
}

/** Where the schema of a group comes from, e.g. `@kubernetes-models/gateway-api 2.0.0`. */
export function k8sSchemaSource(group: string): string {
  return k8sSchemaData().groups[group] ?? 'the schema data';
}
