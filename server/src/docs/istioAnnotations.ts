/**
 * Istio annotation facts (server/src/docs/istio-annotations.json, a facts-only copy of istio/api
 * annotation/annotations.yaml plus the value types the sidecar injector validates), loaded once.
 */
export interface AnnotationFact {
  name: string;
  resources: string[];
  deprecated?: boolean;
}

export type ValueType = 'uint32' | 'port' | 'ports' | 'portsOrStar' | 'cidrs' | 'cidrsOrStar' | 'goBool' | 'interceptionMode' | 'proxyConfig' | 'quantity' | 'injectBool';

export interface ValueFact {
  name: string;
  type: ValueType;
  /** who reads it: the injector's annotation validation, the injection template, or the injection decision */
  by: 'validation' | 'template' | 'inject';
}

export interface AnnotationFacts {
  /** the annotations of the current istio/api revision, by name */
  current: Map<string, AnnotationFact>;
  /** names an earlier revision listed that the current one no longer does */
  removed: Map<string, AnnotationFact>;
  /** value types, by annotation name */
  values: Map<string, ValueFact>;
}

let facts: AnnotationFacts | undefined;

export function istioAnnotationFacts(): AnnotationFacts {
  if (!facts) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const f = require('./istio-annotations.json') as { annotations: AnnotationFact[]; removed: AnnotationFact[]; values: ValueFact[] };
    facts = {
      current: new Map(f.annotations.map((a) => [a.name, a])),
      removed: new Map(f.removed.map((a) => [a.name, a])),
      values: new Map(f.values.map((v) => [v.name, v])),
    };
  }
  return facts;
}
