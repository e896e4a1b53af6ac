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
