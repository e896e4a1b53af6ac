/**
 * Build-time generator for the hover data shipped with the language server.
 *
 *   node --import tsx scripts/gen-hover-data.ts [--modules DIR]
 *
 * `--modules DIR` looks for a package in DIR (a node_modules folder) first when DIR holds the major
 * version package.json's devDependencies ask for, e.g. to regenerate before `npm ci` has installed it.
 *
 * Writes:
 *  - server/src/docs/k8s-fields.json: field documentation extracted from the JSDoc of the
 *    `.d.ts` files of @kubernetes-models/istio, @kubernetes-models/gateway-api and
 *    kubernetes-models (the runtime validators carry no descriptions), through the
 *    TypeScript compiler API (typescript 5.9).
 *  - server/src/docs/nginx-directives.json: nginx directive and variable reference from
 *    @nginx/reference-lib (Markdown flavour).
 *
 * The JSON files are committed: they are the shipped data, the packages are devDependencies only.
 *
 * k8s-fields.json layout:
 *   { generatedBy, sources, kinds: { "<apiGroup>/<Kind>": { "<dotted.path>": {d, e?, t?} } } }
 *   Path syntax: `.` between keys, `[]` after an array field, `*` for a map value
 *   (e.g. `spec.http[].route[].weight`, `spec.portLevelMtls.*.mode`). The core group is "".
 *   `metadata.*` (ObjectMeta) is identical for every kind and stored once under `shared`.
 */
import * as ts from 'typescript';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const outDir = join(root, 'server/src/docs');
const GENERATED_BY = 'scripts/gen-hover-data.ts';

const FIELD_DESC_MAX = 1200;
const NGINX_DESC_MAX = 1500;
const MAX_DEPTH = 16;

// ---------------------------------------------------------------------------------------------
// Kubernetes / Istio / Gateway API field docs
// ---------------------------------------------------------------------------------------------

interface Target {
  /** API group ("" for core) */
  group: string;
  kind: string;
  /** .d.ts files (module specifiers), most preferred version first; later ones only add paths */
  files: string[];
}

const ISTIO_NET = '@kubernetes-models/istio/networking.istio.io';
const ISTIO_SEC = '@kubernetes-models/istio/security.istio.io';
const GW = '@kubernetes-models/gateway-api/gateway.networking.k8s.io';

/**
 * Absolute path of a file inside an installed package. The packages' `exports` maps hide
 * their .d.ts files from require.resolve, so walk node_modules like Node does.
 */
const modulesArg = process.argv.indexOf('--modules');
const extraModules = modulesArg > 0 ? resolve(process.argv[modulesArg + 1]) : undefined;
function extraHas(name: string): boolean {
  if (!extraModules || !existsSync(join(extraModules, name, 'package.json'))) return false;
  const want = /(\d+)\./.exec((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> }).devDependencies?.[name] ?? '')?.[1];
  const have = (JSON.parse(readFileSync(join(extraModules, name, 'package.json'), 'utf8')) as { version: string }).version.split('.')[0];
  return want === undefined || want === have;
}

function pkgFile(spec: string): string | undefined {
  const parts = spec.split('/');
  const nameLen = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLen).join('/');
  const rest = parts.slice(nameLen).join('/');
  if (extraHas(name)) {
    const candidate = join(extraModules!, name, rest);
    return existsSync(candidate) ? candidate : undefined;
  }
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, rest);
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return existsSync(candidate) ? candidate : undefined;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Versions available in a package directory, preferred (most stable) first. */
function versionsOf(pkgDir: string, candidates: string[], kind: string): string[] {
  return candidates.map((v) => `${pkgDir}/${v}/${kind}`).filter((spec) => pkgFile(`${spec}.d.ts`) !== undefined);
}

function targets(): Target[] {
  const t: Target[] = [];
  const add = (group: string, kind: string, pkgDir: string, versions: string[]) => {
    const files = versionsOf(pkgDir, versions, kind);
    if (files.length > 0) t.push({ group, kind, files });
    else console.warn(`gen-hover-data: no .d.ts for ${group}/${kind} in ${pkgDir}`);
  };
  const istioNetV = ['v1', 'v1beta1', 'v1alpha3'];
  for (const k of ['DestinationRule', 'VirtualService', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry']) {
    add('networking.istio.io', k, ISTIO_NET, istioNetV);
  }
  const istioSecV = ['v1', 'v1beta1'];
  for (const k of ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication']) {
    add('security.istio.io', k, ISTIO_SEC, istioSecV);
  }
  const gwV = ['v1', 'v1beta1', 'v1alpha2'];
  for (const k of ['Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant', 'TCPRoute', 'TLSRoute']) {
    add('gateway.networking.k8s.io', k, GW, gwV);
  }
  for (const k of ['Service', 'ConfigMap', 'Pod', 'ServiceAccount', 'Namespace', 'Secret']) {
    add('', k, 'kubernetes-models', ['v1']);
  }
  for (const k of ['Deployment', 'StatefulSet', 'DaemonSet']) add('apps', k, 'kubernetes-models/apps', ['v1']);
  add('networking.k8s.io', 'Ingress', 'kubernetes-models/networking.k8s.io', ['v1']);
  add('networking.k8s.io', 'NetworkPolicy', 'kubernetes-models/networking.k8s.io', ['v1']);
  add('autoscaling', 'HorizontalPodAutoscaler', 'kubernetes-models/autoscaling', ['v2']);
  return t;
}

export interface FieldEntry {
  d: string;
  e?: string[];
  t?: string;
}

function trimText(s: string, max: number): string {
  s = s.replace(/\r\n/g, '\n').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  if (s.length <= max) return s;
  let cut = s.slice(0, max);
  // do not leave an unclosed code fence behind
  const fences = (cut.match(/^```/gm) ?? []).length;
  const para = cut.lastIndexOf('\n\n');
  const sentence = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('.\n'));
  if (para > max * 0.6) cut = cut.slice(0, para);
  else if (sentence > max * 0.6) cut = cut.slice(0, sentence + 1);
  else cut = cut.slice(0, Math.max(cut.lastIndexOf(' '), max * 0.8));
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1 || (fences % 2 === 1 && cut.includes('```'))) {
    const last = cut.lastIndexOf('```');
    if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut = cut.slice(0, last);
  }
  return cut.trimEnd() + ' …';
}

class FieldExtractor {
  private program: ts.Program;
  private checker: ts.TypeChecker;

  constructor(private fileNames: string[]) {
    this.program = ts.createProgram(fileNames, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: [],
    });
    this.checker = this.program.getTypeChecker();
  }

  /** The `I<Kind>` interface exported by a .d.ts file. */
  rootType(fileName: string, kind: string): ts.Type | undefined {
    const sf = this.program.getSourceFile(fileName);
    if (!sf) return undefined;
    const mod = this.checker.getSymbolAtLocation(sf);
    if (!mod) return undefined;
    const exp = this.checker.getExportsOfModule(mod).find((s) => s.name === `I${kind}`);
    if (!exp) return undefined;
    const sym = exp.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(exp) : exp;
    return this.checker.getDeclaredTypeOfSymbol(sym);
  }

  extract(type: ts.Type, out: Map<string, FieldEntry>, skipTop: Set<string>): void {
    this.walkObject(type, '', out, 0, [], skipTop);
  }

  private doc(sym: ts.Symbol): string {
    const parts = sym.getDocumentationComment(this.checker);
    let text = ts.displayPartsToString(parts);
    // "@default" and friends carry useful hints too
    for (const tag of sym.getJsDocTags(this.checker)) {
      if (tag.name === 'default' || tag.name === 'deprecated') {
        const body = tag.text ? ts.displayPartsToString(tag.text) : '';
        text += `\n\n*@${tag.name}* ${body}`;
      }
    }
    text = text.trim();
    // the Istio CRDs say only "Optional." for many fields: that is no description
    return /^(Optional|Required)\.?$/i.test(text) ? '' : text;
  }

  private stripNullish(type: ts.Type): ts.Type[] {
    if (type.isUnion()) {
      return type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)));
    }
    return [type];
  }

  private isArray(type: ts.Type): ts.Type | undefined {
    if (this.checker.isArrayType(type) || this.checker.isTupleType(type)) {
      const args = this.checker.getTypeArguments(type as ts.TypeReference);
      return args[0];
    }
    // oneOf schemas become `{...} & ({...} | {...})`: a property then has type Array<A> & Array<B>
    if (type.isIntersection()) {
      const els = type.types.map((t) => this.isArray(t)).filter((x): x is ts.Type => !!x);
      if (els.length > 0) return els.length === 1 ? els[0] : this.mergeTypes(els);
    }
    return undefined;
  }

  private isObjectLike(t: ts.Type): boolean {
    return (!!(t.flags & ts.TypeFlags.Object) || t.isIntersection()) && !this.isArray(t);
  }

  /** Short display type and enum values of a (possibly union) type. */
  private describeType(type: ts.Type): { t?: string; e?: string[] } {
    const members = this.stripNullish(type);
    // boolean shows up as true | false
    const lits: string[] = [];
    const kinds = new Set<string>();
    for (const m of members) {
      if (m.isStringLiteral()) lits.push(m.value);
      else if (m.flags & ts.TypeFlags.String) kinds.add('string');
      else if (m.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) kinds.add('number');
      else if (m.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) kinds.add('boolean');
      else {
        const el = this.isArray(m);
        if (el) {
          const inner = this.describeType(el);
          kinds.add(`${inner.t ?? 'object'}[]`);
          if (inner.e) lits.push(...inner.e);
        } else if (this.isObjectLike(m)) {
          const props = this.checker.getPropertiesOfType(m);
          const idx = this.checker.getIndexInfosOfType(m);
          if (props.length === 0 && idx.length > 0) {
            const v = this.describeType(idx[0].type);
            kinds.add(`map<string, ${v.t ?? 'object'}>`);
          } else kinds.add('object');
        } else if (m.flags & ts.TypeFlags.Any || m.flags & ts.TypeFlags.Unknown) kinds.add('any');
      }
    }
    const res: { t?: string; e?: string[] } = {};
    const enumVals = [...new Set(lits)];
    if (enumVals.length > 0) res.e = enumVals;
    if (enumVals.length > 0 && kinds.size === 0) kinds.add('string');
    if (kinds.size > 0) {
      let t = [...kinds].join(' | ');
      if (t === 'number | string' || t === 'string | number') t = 'int-or-string';
      if (t.length > 60) t = t.slice(0, 57) + '...';
      res.t = t;
    }
    if (res.e && kinds.has('string[]')) res.t = 'string[]';
    return res;
  }

  /** Properties of an object type; for unions of object types, the union of their properties. */
  private propertiesOf(type: ts.Type): ts.Symbol[] {
    const members = this.stripNullish(type).filter((m) => this.isObjectLike(m));
    const byName = new Map<string, ts.Symbol>();
    for (const m of members) {
      for (const p of this.checker.getPropertiesOfType(m)) {
        const prev = byName.get(p.name);
        if (!prev) byName.set(p.name, p);
        else if (!this.doc(prev) && this.doc(p)) byName.set(p.name, p);
      }
    }
    return [...byName.values()];
  }

  private propType(sym: ts.Symbol, type: ts.Type): ts.Type {
    // for union members the property type may differ; union them all
    const members = this.stripNullish(type).filter((m) => this.isObjectLike(m));
    const types: ts.Type[] = [];
    for (const m of members) {
      const p = this.checker.getPropertyOfType(m, sym.name);
      if (p) types.push(this.checker.getTypeOfSymbol(p));
    }
    if (types.length <= 1) return types[0] ?? this.checker.getTypeOfSymbol(sym);
    return this.mergeTypes(types);
  }

  private mergeTypes(types: ts.Type[]): ts.Type {
    // no public API to build a union: emulate with a lightweight wrapper understood by the walker
    const flat: ts.Type[] = [];
    for (const t of types) flat.push(...this.stripNullish(t));
    const fake = { flags: ts.TypeFlags.Union, types: flat, isUnion: () => true } as unknown as ts.Type;
    return fake;
  }

  private walkObject(type: ts.Type, prefix: string, out: Map<string, FieldEntry>, depth: number, stack: ts.Type[], skipTop?: Set<string>): void {
    if (depth > MAX_DEPTH) return;
    const members = this.stripNullish(type);
    if (members.some((m) => stack.includes(m))) return; // recursive type (e.g. JSON schema props)
    const nextStack = [...stack, ...members];

    // arrays: descend into the element type
    const arrays = members.map((m) => this.isArray(m)).filter((x): x is ts.Type => !!x);
    if (arrays.length > 0) {
      const el = arrays.length === 1 ? arrays[0] : this.mergeTypes(arrays);
      this.walkObject(el, `${prefix}[]`, out, depth + 1, nextStack);
      return;
    }
    const objects = members.filter((m) => this.isObjectLike(m));
    if (objects.length === 0) return;

    const props = this.propertiesOf(type);
    if (props.length === 0) {
      // map: { [key: string]: V }
      for (const m of objects) {
        const idx = this.checker.getIndexInfosOfType(m);
        if (idx.length > 0) {
          const mapKey = prefix ? `${prefix}.*` : '*';
          const valueType = idx[0].type;
          if (this.propertiesOf(valueType).length > 0 || this.stripNullish(valueType).some((v) => this.isArray(v))) {
            this.walkObject(valueType, mapKey, out, depth + 1, nextStack);
          }
          return;
        }
      }
      return;
    }
    for (const p of props) {
      if (depth === 0 && skipTop?.has(p.name)) continue;
      if (p.name.startsWith('__')) continue;
      const key = prefix ? `${prefix}.${p.name}` : p.name;
      const pt = this.propType(p, type);
      const info = this.describeType(pt);
      const d = trimText(this.doc(p), FIELD_DESC_MAX);
      if (!out.has(key)) {
        const entry: FieldEntry = { d };
        if (info.e) entry.e = info.e;
        if (info.t) entry.t = info.t;
        out.set(key, entry);
      } else {
        const prev = out.get(key)!;
        if (!prev.d && d) prev.d = d;
        if (info.e) prev.e = [...new Set([...(prev.e ?? []), ...info.e])];
      }
      this.walkObject(pt, key, out, depth + 1, nextStack);
    }
  }
}

/**
 * Hand-written notes (our own wording) for mesh-relevant fields whose CRD schema carries no
 * description, plus generic ones for the type-meta fields. They only fill empty descriptions;
 * a description from the package always wins. Patterns match the whole dotted path.
 */
const SUPPLEMENTS: Array<{ kinds: RegExp; path: RegExp; d: string; append?: boolean }> = [
  { kinds: /./, path: /^apiVersion$/, d: 'API group and version of this object, e.g. `networking.istio.io/v1`. Older versions of the same group are usually still served and share the schema.' },
  { kinds: /./, path: /^kind$/, d: 'Resource type of this object.' },
  { kinds: /./, path: /^metadata$/, d: 'Standard object metadata: `name`, `namespace`, `labels`, `annotations`.' },
  {
    kinds: /^networking\.istio\.io\/DestinationRule$/,
    path: /(^|\.)tls\.mode$/,
    d: [
      'TLS mode the client-side proxy uses when it connects to the upstream host.',
      '- `DISABLE`: plain text, no TLS.',
      '- `SIMPLE`: originate TLS and verify the server (like `https://`).',
      '- `MUTUAL`: originate mutual TLS with the certificates named in `clientCertificate`, `privateKey`, `caCertificates` or `credentialName`.',
      '- `ISTIO_MUTUAL`: originate mutual TLS with the certificates Istio issues to the workload; leave the certificate fields empty.',
      '',
      'Since Istio 1.5, auto mTLS already upgrades sidecar-to-sidecar calls when no DestinationRule sets a TLS mode. `ISTIO_MUTUAL` makes the client side explicit; `DISABLE` turns mTLS off for this host even when the server requires it.',
    ].join('\n'),
  },
  { kinds: /DestinationRule$/, path: /^spec\.trafficPolicy$/, d: 'Traffic policy applied to every port and subset of the host (load balancing, connection pool, outlier detection, TLS). Subsets and `portLevelSettings` can override it.' },
  { kinds: /DestinationRule$/, path: /^spec\.subsets$/, d: 'Named groups of endpoints of the host, selected by pod labels. VirtualService routes refer to them by `subset` name; a route to an undefined subset fails (HTTP 503).' },
  { kinds: /DestinationRule$/, path: /^spec\.subsets\[\]\.labels$/, d: 'Pod labels that select the endpoints of this subset (combined with the Service selector). An empty map selects all endpoints, which tools such as Argo Rollouts rely on while they manage the labels themselves.' },
  { kinds: /DestinationRule$/, path: /(^|\.)trafficPolicy(\.portLevelSettings\[\])?\.connectionPool$/, d: 'Connection limits toward the upstream host (per client proxy): TCP connection count and timeouts, HTTP pending requests, concurrent requests and retries.' },
  { kinds: /DestinationRule$/, path: /\.connectionPool\.http\.http1MaxPendingRequests$/, d: 'Maximum number of requests queued while waiting for a ready connection (HTTP/1.1 and HTTP/2). Extra requests fail fast with 503.' },
  { kinds: /DestinationRule$/, path: /\.connectionPool\.http\.maxRetries$/, d: 'Maximum number of retries that may be outstanding to all hosts of the cluster at a given time.' },
  { kinds: /DestinationRule$/, path: /\.loadBalancer\.simple$/, d: 'Built-in load-balancing algorithm: `ROUND_ROBIN`, `LEAST_REQUEST` (the default), `RANDOM`, `PASSTHROUGH` (forward to the address the caller asked for). `UNSPECIFIED` lets Istio choose.' },
  { kinds: /DestinationRule$/, path: /\.loadBalancer\.consistentHash$/, d: 'Session affinity: hash on an HTTP header, cookie, source IP or query parameter so that a client keeps reaching the same endpoint.' },
  { kinds: /DestinationRule$/, path: /(^|\.)outlierDetection$/, d: 'Passive health checking: endpoints that keep failing are ejected from the load-balancing pool for a while (circuit breaking).' },
  { kinds: /DestinationRule$/, path: /\.outlierDetection\.consecutiveErrors$/, d: 'Deprecated: use `consecutive5xxErrors` or `consecutiveGatewayErrors`.' },
  { kinds: /DestinationRule$/, path: /\.outlierDetection\.maxEjectionPercent$/, d: 'Maximum percentage of the endpoints that can be ejected at the same time.' },
  { kinds: /DestinationRule$/, path: /\.outlierDetection\.minHealthPercent$/, d: 'Outlier detection stays active only while at least this percentage of endpoints is healthy.' },
  { kinds: /PeerAuthentication$/, path: /^spec\.portLevelMtls$/, d: 'Per-port mTLS modes. Istio applies it only when the policy has a workload `selector`; the keys are workload (container) ports, not Service ports.', append: true },
  { kinds: /PeerAuthentication$/, path: /(^|\.)mode$/, d: 'mTLS mode for traffic received by the selected workloads.\n- `STRICT`: only mutual TLS is accepted; plain-text callers from outside the mesh (for example an ingress controller without a sidecar) are rejected.\n- `PERMISSIVE`: both mutual TLS and plain text are accepted.\n- `DISABLE`: mutual TLS is not used.\n- `UNSET`: inherit from the parent policy (namespace, then mesh).', append: true },
  { kinds: /PeerAuthentication$|AuthorizationPolicy$|RequestAuthentication$/, path: /^spec\.selector\.matchLabels$/, d: 'Pod labels of the workloads this policy applies to. Without a selector the policy applies to every workload in its namespace (or the whole mesh in the root namespace).' },
  { kinds: /AuthorizationPolicy$/, path: /^spec\.action$/, d: '`ALLOW`, `DENY`, `AUDIT` or `CUSTOM` (delegate to an external authorizer named in `provider`). When any ALLOW policy selects a workload, requests that match none of its rules are denied.' },
  { kinds: /AuthorizationPolicy$/, path: /^spec\.rules$/, d: 'A request matches the policy when it matches any rule. Within a rule, `from`, `to` and `when` must all match. A policy with no rules matches nothing (for ALLOW: deny all).' },
  { kinds: /AuthorizationPolicy$/, path: /^spec\.rules\[\]\.from$/, d: 'Request sources (identity, namespace, IP). Identities (`principals`, `namespaces`) exist only for callers that use mutual TLS; plain-text callers from outside the mesh never match them.' },
  { kinds: /AuthorizationPolicy$/, path: /^spec\.rules\[\]\.to$/, d: 'Request operations: hosts, ports, methods and paths (HTTP fields need HTTP traffic).' },
  { kinds: /AuthorizationPolicy$/, path: /^spec\.rules\[\]\.when$/, d: 'Extra conditions on request attributes, e.g. `request.headers[...]`, `source.namespace`, `request.auth.claims[...]` (needs a RequestAuthentication).' },
  { kinds: /AuthorizationPolicy$/, path: /\.source\.principals$/, d: 'Peer identities, `cluster.local/ns/<namespace>/sa/<service-account>`, taken from the mTLS certificate. A service account shared by many pods (such as `default`) is a weak identity.' },
  { kinds: /AuthorizationPolicy$/, path: /\.source\.namespaces$/, d: 'Namespaces of the peer, taken from its mTLS identity; never matches plain-text callers.' },
  { kinds: /AuthorizationPolicy$/, path: /\.operation\.ports$/, d: 'Destination ports as strings, e.g. `["8080"]`: the workload (container) port.' },
  { kinds: /AuthorizationPolicy$/, path: /\.operation\.paths$/, d: 'Request paths; exact, prefix (`/api/*`), suffix (`*.js`) or `*`.' },
  { kinds: /VirtualService$/, path: /^spec\.http\[\]\.match$/, d: 'Conditions a request must meet for this rule to apply. Conditions inside one match block are ANDed; the match blocks of the list are ORed.' },
  { kinds: /VirtualService$/, path: /\.match\[\]\.(uri|scheme|method|authority)$/, d: 'String match: exactly one of `exact`, `prefix` or `regex` (RE2).' },
  { kinds: /VirtualService$/, path: /\.match\[\]\.(headers|queryParams|withoutHeaders)$/, d: 'Map of names to string matches (`exact`, `prefix` or `regex`). Header names must be lower case.' },
  { kinds: /VirtualService$/, path: /\.(exact)$/, d: 'Exact string match.' },
  { kinds: /VirtualService$/, path: /\.(prefix)$/, d: 'Prefix-based match.' },
  { kinds: /VirtualService$/, path: /\.match\[\]\.sourceLabels$/, d: 'Applies the rule only to calls from workloads with these labels.' },
  { kinds: /VirtualService$/, path: /\.route\[\]\.destination$/, d: 'Where the request is forwarded: `host` (a Service or ServiceEntry host, short names are resolved in the rule\'s namespace), optional `subset` defined in a DestinationRule, optional `port`.' },
  { kinds: /VirtualService$/, path: /\.mirror$/, d: 'Sends a copy of the requests to another destination in addition to the primary route; responses of the mirror are ignored.' },
  { kinds: /VirtualService$/, path: /\.fault\.(abort|delay)$/, d: 'Fault injection: abort (return an error status) or delay a percentage of the requests.' },
  { kinds: /VirtualService$/, path: /\.headers$/, d: 'Header manipulation: `set`, `add` or `remove` request and response headers.' },
  { kinds: /Gateway$/, path: /^spec\.selector$/, d: 'Pod labels of the gateway deployment that serves this configuration, e.g. `istio: ingressgateway`. The gateway pods must exist.' },
  { kinds: /Gateway$/, path: /\.tls\.mode$/, d: 'How the server handles TLS: `PASSTHROUGH` (forward by SNI), `SIMPLE` (terminate TLS with `credentialName`), `MUTUAL` (terminate and require client certificates), `AUTO_PASSTHROUGH`, `ISTIO_MUTUAL`, `OPTIONAL_MUTUAL`.' },
  { kinds: /Gateway$/, path: /\.tls\.httpsRedirect$/, d: 'When true, the gateway answers plain HTTP requests with a 301 redirect to HTTPS.' },
  { kinds: /Gateway$/, path: /\.tls\.credentialName$/, d: 'Name of the Secret (in the gateway\'s namespace) holding the certificate and key.' },
  { kinds: /Sidecar$/, path: /^spec\.outboundTrafficPolicy\.mode$/, d: '`ALLOW_ANY`: calls to unknown hosts pass through (PassthroughCluster). `REGISTRY_ONLY`: only hosts known to the mesh (Services, ServiceEntries) are reachable.' },
  { kinds: /Sidecar$/, path: /^spec\.egress\[\]\.hosts$/, d: 'Hosts this sidecar can reach, as `namespace/dnsName` (`./*` = own namespace, `istio-system/*`).' },
  { kinds: /Sidecar$/, path: /^spec\.workloadSelector(\.labels)?$/, d: 'Workloads this Sidecar applies to; without it the Sidecar is the namespace default.' },
  { kinds: /ServiceEntry$/, path: /^spec\.location$/, d: '`MESH_EXTERNAL` for services outside the mesh (no mTLS), `MESH_INTERNAL` for services that are part of the mesh.' },
  { kinds: /RequestAuthentication$/, path: /\.jwtRules\[\]\.jwksUri$/, d: 'URL of the provider\'s public key set (JWKS) used to validate the JWT signature.' },
  { kinds: /RequestAuthentication$/, path: /\.jwtRules\[\]\.audiences$/, d: 'Accepted `aud` values; empty accepts the service\'s own host names.' },
];

function supplement(kindKey: string, path: string, entry: FieldEntry): void {
  const s = SUPPLEMENTS.find((x) => x.kinds.test(kindKey) && x.path.test(path));
  if (s?.append && entry.d && !entry.d.includes(s.d)) entry.d = `${entry.d}\n\n${s.d}`;
  if (entry.d) return;
  if (s) entry.d = s.d;
  else if (entry.e && entry.e.length > 1) entry.d = `One of ${entry.e.map((v) => `\`${v}\``).join(', ')}.`;
}

/**
 * Subtrees that are identical across kinds are stored once under `shared` and referenced by
 * `mounts`: { "<kind>": { "<path prefix>": "<shared name>" } }.
 */
const MOUNTS: Array<{ kinds: RegExp; prefix: string; name: string }> = [
  { kinds: /./, prefix: 'metadata', name: 'meta' },
  { kinds: /^\/Pod$/, prefix: 'spec', name: 'podSpec' },
  { kinds: /^apps\/(Deployment|StatefulSet|DaemonSet)$/, prefix: 'spec.template.spec', name: 'podSpec' },
  { kinds: /^apps\/(Deployment|StatefulSet|DaemonSet)$/, prefix: 'spec.template.metadata', name: 'meta' },
  { kinds: /^apps\/StatefulSet$/, prefix: 'spec.volumeClaimTemplates[].metadata', name: 'meta' },
];

function genFields(): { json: unknown; counts: Record<string, number> } {
  const list = targets();
  const resolved = new Map<string, string>();
  for (const t of list) for (const f of t.files) resolved.set(f, pkgFile(`${f}.d.ts`)!);
  const extractor = new FieldExtractor([...resolved.values()]);
  const kinds: Record<string, Record<string, FieldEntry>> = {};
  const counts: Record<string, number> = {};
  const shared: Record<string, Record<string, FieldEntry>> = {};
  const mountMap: Record<string, Record<string, string>> = {};
  const skip = new Set(['status']);
  for (const t of list) {
    const out = new Map<string, FieldEntry>();
    for (const f of t.files) {
      const type = extractor.rootType(resolved.get(f)!, t.kind);
      if (!type) {
        console.warn(`gen-hover-data: I${t.kind} not found in ${f}`);
        continue;
      }
      extractor.extract(type, out, skip);
    }
    const key = `${t.group}/${t.kind}`;
    const mounts = MOUNTS.filter((m) => m.kinds.test(key)).sort((a, b) => b.prefix.length - a.prefix.length);
    const own: Record<string, FieldEntry> = {};
    for (const [k, v] of [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      // the packages pin one version per file; the cluster may serve others, so no enum here
      if (k === 'apiVersion') delete v.e;
      const m = mounts.find((x) => k.startsWith(`${x.prefix}.`));
      if (m) {
        const table = (shared[m.name] ??= {});
        const sub = k.slice(m.prefix.length + 1);
        supplement(`shared/${m.name}`, sub, v);
        if (!table[sub] || (!table[sub].d && v.d)) table[sub] = v;
      } else {
        supplement(key, k, v);
        own[k] = v;
      }
    }
    if (mounts.length > 0) mountMap[key] = Object.fromEntries(mounts.map((m) => [m.prefix, m.name]));
    kinds[key] = own;
    counts[key] = Object.keys(own).length;
  }
  const pkgVersion = (name: string) => JSON.parse(readFileSync(pkgFile(`${name}/package.json`)!, 'utf8')).version as string;
  return {
    json: {
      generatedBy: GENERATED_BY,
      sources: {
        '@kubernetes-models/istio': pkgVersion('@kubernetes-models/istio'),
        '@kubernetes-models/gateway-api': pkgVersion('@kubernetes-models/gateway-api'),
        'kubernetes-models': pkgVersion('kubernetes-models'),
      },
      mounts: mountMap,
      shared: Object.fromEntries(Object.entries(shared).map(([n, tbl]) => [n, Object.fromEntries(Object.entries(tbl).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))])),
      kinds,
    },
    counts,
  };
}

// ---------------------------------------------------------------------------------------------
// nginx directives and variables
// ---------------------------------------------------------------------------------------------

interface RefDirective {
  name: string;
  module: string;
  description: string;
  syntax: string[];
  contexts: string[];
  isBlock: boolean;
  default: string;
}
interface RefVariable {
  name: string;
  module: string;
  description: string;
}

/** Minimal HTML -> Markdown for the few descriptions that still carry inline HTML. */
export function htmlToMarkdown(s: string): string {
  return s
    .replace(/<\/?p>/g, '\n')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<code>(.*?)<\/code>/g, '`$1`')
    .replace(/<(em|i)>(.*?)<\/\1>/g, '*$2*')
    .replace(/<(strong|b)>(.*?)<\/\1>/g, '**$2**')
    .replace(/<a href="([^"]*)">(.*?)<\/a>/g, '[$2]($1)')
    .replace(/<li>/g, '\n- ')
    .replace(/<\/?(ul|ol|li|dl|dt|dd|div|span)[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function cleanNginxMarkdown(s: string): string {
  // descriptions are Markdown already; a handful keep inline HTML tags outside code fences
  const parts = s.split(/(```[\s\S]*?```)/);
  return parts.map((p, i) => (i % 2 === 1 ? p : /<[a-z][^>]*>/i.test(p) ? htmlToMarkdown(p) : p)).join('');
}

async function genNginx(): Promise<{ json: unknown; directives: number; variables: number }> {
  // @nginx/reference-lib is an ES module: load it with a real dynamic import
  const lib = (await import('@nginx/reference-lib')) as unknown as {
    getDirectives(format?: number): RefDirective[];
    getVariables(format?: number): RefVariable[];
    Format: { Markdown: number };
  };
  const md = lib.Format.Markdown;
  const directives: Record<string, Array<{ syntax: string[]; default?: string; contexts: string[]; module: string; block?: true; description: string }>> = {};
  let nd = 0;
  for (const d of lib.getDirectives(md)) {
    const entry = {
      syntax: d.syntax,
      ...(d.default ? { default: d.default } : {}),
      contexts: d.contexts,
      module: d.module,
      ...(d.isBlock ? { block: true as const } : {}),
      description: trimText(cleanNginxMarkdown(d.description), NGINX_DESC_MAX),
    };
    (directives[d.name] ??= []).push(entry);
    nd++;
  }
  const variables: Record<string, Array<{ module: string; description: string }>> = {};
  let nv = 0;
  for (const v of lib.getVariables(md)) {
    const name = v.name.replace(/^\$/, '');
    const list = (variables[name] ??= []);
    if (list.some((x) => x.module === v.module)) continue;
    list.push({ module: v.module, description: trimText(cleanNginxMarkdown(v.description), NGINX_DESC_MAX) });
    nv++;
  }
  const version = JSON.parse(readFileSync(pkgFile('@nginx/reference-lib/package.json')!, 'utf8')).version as string;
  return {
    json: { generatedBy: GENERATED_BY, sources: { '@nginx/reference-lib': version }, directives, variables },
    directives: nd,
    variables: nv,
  };
}

function write(file: string, json: unknown): number {
  const text = JSON.stringify(json) + '\n';
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}

async function main(): Promise<void> {
  const fields = genFields();
  const fieldsFile = join(outDir, 'k8s-fields.json');
  const fieldsSize = write(fieldsFile, fields.json);
  const total = Object.values(fields.counts).reduce((a, b) => a + b, 0);
  console.log(`k8s-fields.json: ${Object.keys(fields.counts).length} kinds, ${total} paths, ${(fieldsSize / 1024).toFixed(0)} KiB`);
  for (const [k, n] of Object.entries(fields.counts)) console.log(`  ${k}: ${n}`);

  const nginx = await genNginx();
  const nginxFile = join(outDir, 'nginx-directives.json');
  const nginxSize = write(nginxFile, nginx.json);
  console.log(`nginx-directives.json: ${nginx.directives} directives, ${nginx.variables} variables, ${(nginxSize / 1024).toFixed(0)} KiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
