/** Istio releases, where behaviour changed between them (`istioVersion` in .meshlint.yaml). */

/** The Istio version meshlint's rules describe when the configuration names none. */
export const DEFAULT_ISTIO_VERSION = '1.24';

/** Compares Istio releases ("1.9" < "1.13"); undefined reads as the default. */
export function istioAtLeast(version: string | undefined, min: string): boolean {
  const [a, b] = (version ?? DEFAULT_ISTIO_VERSION).split('.').map(Number);
  const [c, d] = min.split('.').map(Number);
  return a > c || (a === c && b >= d);
}
