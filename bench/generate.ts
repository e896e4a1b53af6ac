/**
 * Deterministic generator of realistic meshlint workspaces for the benchmark.
 *
 *   node --import tsx bench/generate.ts [--sizes 1,10,50] [--force]
 *
 * Writes bench/workspaces/<size>mb/ (gitignored). The same seed and size always give the same
 * bytes. Each namespace is labelled istio-injection=enabled and holds: a namespace file
 * (Namespace, ServiceAccount, ResourceQuota, LimitRange), app files (Deployment with probes, env
 * and resources + Service + DestinationRule + VirtualService), an nginx gateway (ConfigMap with a
 * 2-3 KB nginx config proxying to the namespace's services + Deployment + Service), an ingress
 * file (Ingress + PodDisruptionBudget + HorizontalPodAutoscaler), RBAC, a standalone nginx file;
 * a few CRDs at the top. ~5 KB and ~3.6 documents per file.
 *
 * Faults are injected in three namespaces (see FAULTS / manifest.json); everything else is clean,
 * so the benchmark can require exactly the expected findings (rule + file).
 */
import * as fs from 'node:fs';
import { rng } from '../test/helpers/prng';
import * as path from 'node:path';
import { restyle } from './restyle';

export interface ExpectedFinding {
  rule: string;
  file: string;
}

export interface EditSpec {
  kind: 'nginx-host' | 'peerauth-mode' | 'service-selector';
  file: string;
  /** the text in the file in the initial (generated) state */
  a: string;
  /** the replacement */
  b: string;
  /** files whose diagnostics change between the two states, and how: rule present in state a / in state b */
  affected: { file: string; rule: string; inA: boolean; inB: boolean }[];
}

/**
 * A benchmark workload: `<MB>` (this generator's own block style), `<MB>-styled` (the same data
 * restyled as real repositories write it: flow maps and sequences, quoting, comments, anchors; see
 * restyle.ts), `<MB>-findings` (thousands of broken references: every app has a VirtualService route
 * and a DestinationRule naming a Service that does not exist), `<MB>-corpus` (../shared/corpus/real
 * replicated to the size, namespaces renamed per copy).
 */
export type WorkloadKind = 'own' | 'styled' | 'findings' | 'corpus';

export function parseWorkload(id: string): { bytes: number; kind: WorkloadKind } {
  const m = /^(\d+)(?:-(styled|findings|corpus))?$/.exec(id);
  if (!m) throw new Error(`unknown workload ${id}: <MB>[-styled|-findings|-corpus]`);
  return { bytes: SIZES[m[1]] ?? Number(m[1]) * (1 << 20), kind: (m[2] as WorkloadKind | undefined) ?? 'own' };
}

export interface Manifest {
  size: string;
  kind?: WorkloadKind;
  /**
   * 'generator': `expected` is what the generator injected (the workspace is otherwise clean);
   * 'reference': `expected` is filled by bench/run.ts from `meshlint check` with the fast YAML reader
   * off (the reference parser path), so the benchmark checks the fast paths agree with it.
   */
  expectedFrom?: 'generator' | 'reference';
  seed: number;
  bytes: number;
  files: number;
  yamlFiles: number;
  documents: number;
  expected: ExpectedFinding[];
  edits: EditSpec[];
}

const prng = rng;

const WORDS = ['orders', 'billing', 'catalog', 'search', 'users', 'auth', 'cart', 'checkout', 'inventory', 'shipping', 'payments', 'reviews', 'ratings', 'media', 'notify', 'mailer', 'reports', 'audit', 'ledger', 'pricing', 'promo', 'gateway', 'profile', 'session', 'feed', 'graph', 'export', 'import', 'sync', 'queue'];
const TEAMS = ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'nova', 'orca', 'polar', 'quartz', 'sierra', 'tango', 'vega', 'zulu'];
const ENV = ['LOG_LEVEL', 'HTTP_PORT', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'CACHE_URL', 'FEATURE_FLAGS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'JAVA_OPTS', 'GOMAXPROCS', 'REQUEST_TIMEOUT', 'MAX_CONNECTIONS', 'REGION', 'TZ', 'SPRING_PROFILES_ACTIVE', 'KAFKA_BROKERS', 'S3_BUCKET', 'RETRY_BACKOFF_MS', 'POOL_SIZE'];

export const SIZES: Record<string, number> = { '1': 1 << 20, '10': 10 << 20, '50': 50 << 20 };

interface Ctx {
  r: () => number;
  pick<T>(xs: T[]): T;
  int(lo: number, hi: number): number;
}

function ctx(seed: number): Ctx {
  const r = prng(seed);
  return {
    r,
    pick: (xs) => xs[Math.floor(r() * xs.length)],
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
  };
}

const fqdn = (svc: string, ns: string) => `${svc}.${ns}.svc.cluster.local`;

function namespaceFile(c: Ctx, ns: string, team: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels:
    istio-injection: enabled
    team: ${team}
    app.kubernetes.io/part-of: ${team}-platform
  annotations:
    owner: "${team}@example.com"
    cost-center: "cc-${c.int(1000, 9999)}"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${ns}-default
  namespace: ${ns}
  labels:
    team: ${team}
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: ${ns}-quota
  namespace: ${ns}
spec:
  hard:
    requests.cpu: "${c.int(8, 64)}"
    requests.memory: ${c.int(16, 128)}Gi
    limits.cpu: "${c.int(16, 128)}"
    limits.memory: ${c.int(32, 256)}Gi
    pods: "${c.int(50, 400)}"
---
apiVersion: v1
kind: LimitRange
metadata:
  name: ${ns}-limits
  namespace: ${ns}
spec:
  limits:
    - type: Container
      default:
        cpu: 500m
        memory: 512Mi
      defaultRequest:
        cpu: 100m
        memory: 128Mi
`;
}

function appFile(c: Ctx, ns: string, app: string, team: string, port: number, selectorSuffix = ''): string {
  const env: string[] = [];
  const n = c.int(16, 24);
  for (let i = 0; i < n; i++) {
    const k = ENV[(i * 7 + c.int(0, ENV.length - 1)) % ENV.length] + (i >= ENV.length / 2 ? `_${i}` : '');
    env.push(`            - name: ${k}\n              value: "${c.pick(['info', 'debug', '8080', 'true', 'false', 'eu-west-1', '30s', '100', app + '-db', 'redis://cache:6379'])}"`);
  }
  env.push(`            - name: POD_NAME\n              valueFrom:\n                fieldRef:\n                  fieldPath: metadata.name`);
  env.push(`            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: ${app}-db\n                  key: password`);
  const ver = `${c.int(1, 4)}.${c.int(0, 30)}.${c.int(0, 9)}`;
  return `# ${app}: owned by team ${team}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app: ${app}
    version: v1
    app.kubernetes.io/name: ${app}
    app.kubernetes.io/part-of: ${team}-platform
  annotations:
    deployment.kubernetes.io/revision: "${c.int(1, 90)}"
spec:
  replicas: ${c.int(2, 6)}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app: ${app}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: ${app}
        version: v1
        team: ${team}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "15020"
        sidecar.istio.io/proxyCPU: 50m
        sidecar.istio.io/proxyMemory: 128Mi
        checksum/config: "${Buffer.from(app + ver + team).toString('hex').slice(0, 40)}"
    spec:
      serviceAccountName: ${ns}-default
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: ${c.int(1000, 65000)}
        fsGroup: 2000
      containers:
        - name: ${app}
          image: registry.example.com/${team}/${app}:${ver}
          imagePullPolicy: IfNotPresent
          args: ["--port=${port}", "--metrics-port=9090", '--log-format=json']
          ports:
            - name: http
              containerPort: ${port}
              protocol: TCP
            - name: metrics
              containerPort: 9090
              protocol: TCP
          env:
${env.join('\n')}
          resources:
            requests:
              cpu: ${c.int(50, 500)}m
              memory: ${c.int(64, 1024)}Mi
            limits:
              cpu: ${c.int(500, 2000)}m
              memory: ${c.int(1024, 4096)}Mi
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            initialDelaySeconds: ${c.int(2, 15)}
            periodSeconds: 10
            timeoutSeconds: 2
            failureThreshold: 3
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: ${c.int(10, 40)}
            periodSeconds: 20
          startupProbe:
            tcpSocket:
              port: ${port}
            failureThreshold: 30
            periodSeconds: 2
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: config
              mountPath: /etc/${app}
              readOnly: true
      volumes:
        - name: tmp
          emptyDir: {}
        - name: config
          secret:
            secretName: ${app}-config
---
apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app: ${app}
spec:
  type: ClusterIP
  selector:
    app: ${app}${selectorSuffix}
  ports:
    - name: http
      port: 80
      targetPort: ${port}
      protocol: TCP
    - name: http-metrics
      port: 9090
      targetPort: metrics
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  host: ${fqdn(app, ns)}
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    connectionPool:
      tcp:
        maxConnections: ${c.int(50, 500)}
      http:
        http2MaxRequests: ${c.int(100, 2000)}
        maxRequestsPerConnection: ${c.int(1, 100)}
    outlierDetection:
      consecutive5xxErrors: ${c.int(3, 10)}
      interval: 10s
      baseEjectionTime: 30s
  subsets:
    - name: v1
      labels:
        version: v1
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  hosts:
    - ${fqdn(app, ns)}
  http:
    - match:
        - uri:
            prefix: /v1/
      route:
        - destination:
            host: ${fqdn(app, ns)}
            subset: v1
            port:
              number: 80
      timeout: ${c.int(2, 30)}s
      retries:
        attempts: ${c.int(1, 5)}
        perTryTimeout: 2s
        retryOn: gateway-error,connect-failure,refused-stream
    - route:
        - destination:
            host: ${fqdn(app, ns)}
            port:
              number: 80
`;
}

/** nginx server blocks proxying to the namespace's apps; `hostLine` overrides the Host header of the first location. */
function nginxConfig(c: Ctx, ns: string, apps: string[], indent: string, hostOverride?: string): string {
  const lines: string[] = [];
  lines.push('upstream_keepalive_placeholder');
  lines.length = 0;
  lines.push(`# generated gateway for ${ns}`);
  lines.push('server {');
  lines.push('    listen 8080;');
  lines.push(`    server_name ${ns}.example.com;`);
  lines.push('    client_max_body_size 16m;');
  lines.push('    access_log /dev/stdout main;');
  lines.push('    error_log /dev/stderr warn;');
  lines.push('');
  lines.push('    location = /healthz {');
  lines.push('        access_log off;');
  lines.push("        return 200 'ok';");
  lines.push('    }');
  const n = Math.min(apps.length, c.int(6, 9));
  for (let i = 0; i < n; i++) {
    const app = apps[i];
    const host = fqdn(app, ns);
    lines.push('');
    lines.push(`    location /${app}/ {`);
    lines.push(`        proxy_pass http://${host}:80/;`);
    lines.push('        proxy_http_version 1.1;');
    lines.push(`        proxy_set_header Host ${i === 0 && hostOverride ? hostOverride : host};`);
    lines.push('        proxy_set_header X-Real-IP $remote_addr;');
    lines.push('        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    lines.push('        proxy_set_header X-Request-Id $request_id;');
    lines.push(`        proxy_read_timeout ${c.int(5, 120)}s;`);
    lines.push(`        proxy_connect_timeout ${c.int(1, 10)}s;`);
    lines.push('    }');
  }
  lines.push('}');
  return lines.map((l) => (l ? indent + l : '')).join('\n') + '\n';
}

function gatewayFile(c: Ctx, ns: string, apps: string[], team: string, hostOverride?: string): string {
  const gw = `${ns}-gateway`;
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${gw}-nginx
  namespace: ${ns}
  labels:
    app: ${gw}
data:
  default.conf: |
${nginxConfig(c, ns, apps, '    ', hostOverride)}  mime-extra.txt: "text/x-generated gen"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${gw}
  namespace: ${ns}
  labels:
    app: ${gw}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${gw}
  template:
    metadata:
      labels:
        app: ${gw}
        team: ${team}
    spec:
      containers:
        - name: nginx
          image: nginx:1.27-alpine
          ports:
            - containerPort: 8080
              name: http
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
          volumeMounts:
            - name: conf
              mountPath: /etc/nginx/conf.d
      volumes:
        - name: conf
          configMap:
            name: ${gw}-nginx
---
apiVersion: v1
kind: Service
metadata:
  name: ${gw}
  namespace: ${ns}
spec:
  selector:
    app: ${gw}
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;
}

function ingressFile(c: Ctx, ns: string, team: string): string {
  const gw = `${ns}-gateway`;
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${ns}
  namespace: ${ns}
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 16m
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - ${ns}.example.com
      secretName: ${ns}-tls
  rules:
    - host: ${ns}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${gw}
                port:
                  number: 80
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${gw}
  namespace: ${ns}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: ${gw}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${gw}
  namespace: ${ns}
  labels:
    team: ${team}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${gw}
  minReplicas: 2
  maxReplicas: ${c.int(4, 20)}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: ${c.int(50, 85)}
`;
}

function rbacFile(c: Ctx, ns: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${ns}-reader
  namespace: ${ns}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "pods", "services", "endpoints"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["apps"]
    resources: ["deployments", "replicasets"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${ns}-reader
  namespace: ${ns}
subjects:
  - kind: ServiceAccount
    name: ${ns}-default
    namespace: ${ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${ns}-reader
---
apiVersion: v1
kind: Secret
metadata:
  name: ${ns}-tls
  namespace: ${ns}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(`cert-${ns}-${c.int(0, 1e9)}`.repeat(12)).toString('base64')}
  tls.key: ${Buffer.from(`key-${ns}-${c.int(0, 1e9)}`.repeat(10)).toString('base64')}
`;
}

function standaloneNginx(c: Ctx, ns: string, apps: string[]): string {
  const lines: string[] = [`# edge proxy for ${ns} (standalone)`, 'worker_processes auto;', 'events {', '    worker_connections 1024;', '}', 'http {', '    sendfile on;', '    keepalive_timeout 65;', `    log_format main '$remote_addr - $request "$status" $body_bytes_sent';`];
  lines.push(nginxConfig(c, ns, apps, '    ').trimEnd());
  lines.push('}');
  return lines.join('\n') + '\n';
}

function crdFile(c: Ctx, i: number): string {
  const props: string[] = [];
  for (let p = 0; p < 40; p++) {
    props.push(`                field${p}:
                  type: ${c.pick(['string', 'integer', 'boolean'])}
                  description: Generated field ${p} of widget ${i}; controls a behaviour of the operator.`);
  }
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets${i}.example.com
spec:
  group: example.com
  names:
    kind: Widget${i}
    plural: widgets${i}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
${props.join('\n')}
`;
}

function strictPolicy(ns: string): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: ${ns}
spec:
  mtls:
    mode: STRICT
`;
}

function portLevelPolicy(ns: string, port: number): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ports
  namespace: ${ns}
spec:
  mtls:
    mode: PERMISSIVE
  portLevelMtls:
    ${port}:
      mode: DISABLE
`;
}

function directIngress(ns: string, app: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${app}-direct
  namespace: ${ns}
spec:
  ingressClassName: nginx
  rules:
    - host: ${app}.${ns}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${app}
                port:
                  number: 80
`;
}

/** Per app: a VirtualService route and a DestinationRule naming Services that do not exist (near misses of real names). */
function brokenFile(ns: string, apps: string[]): string {
  const docs: string[] = [];
  for (const a of apps) {
    const typo = a.replace(/-(\w+)$/, (_, w: string) => `-${w}s`);
    docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${a}-canary
  namespace: ${ns}
spec:
  hosts:
    - ${a}-canary.${ns}.example.com
  gateways:
    - mesh
  http:
    - route:
        - destination:
            host: ${typo}
            port:
              number: 80
`);
    docs.push(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${a}-legacy
  namespace: ${ns}
spec:
  host: ${typo}.${ns}.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      simple: LEAST_REQUEST
`);
  }
  return docs.join('---\n');
}

export function generate(size: string, outDir: string, seed = 20240601): Manifest {
  const { bytes: target, kind } = parseWorkload(size);
  if (kind === 'corpus') return generateCorpus(size, target, outDir);
  const c = ctx(seed ^ (SIZES[size.split('-')[0]] ?? target));
  const files = new Map<string, string>();
  let bytes = 0;
  const put = (p: string, t: string) => {
    files.set(p, t);
    bytes += Buffer.byteLength(t);
  };
  for (let i = 0; i < 4; i++) put(`platform/crds/widget${i}.yaml`, crdFile(c, i));
  const nsList: { ns: string; team: string; apps: string[]; ports: number[] }[] = [];
  // the fault namespaces sit at fixed fractions of the workspace
  const faultAt = (k: number, count: number) => Math.floor(count * k);
  let i = 0;
  while (bytes < target) {
    const team = TEAMS[i % TEAMS.length];
    const ns = `${team}-${String(i).padStart(4, '0')}`;
    const nApps = c.int(10, 14);
    const apps: string[] = [];
    const ports: number[] = [];
    const used = new Set<string>();
    while (apps.length < nApps) {
      const w = `${c.pick(WORDS)}-${c.pick(['api', 'svc', 'worker', 'web', 'grpc'])}`;
      if (used.has(w)) continue;
      used.add(w);
      apps.push(w);
      ports.push(c.pick([8080, 8081, 8443, 9000, 3000, 5000]));
    }
    nsList.push({ ns, team, apps, ports });
    put(`teams/${ns}/namespace.yaml`, namespaceFile(c, ns, team));
    apps.forEach((a, k) => put(`teams/${ns}/apps/${a}.yaml`, appFile(c, ns, a, team, ports[k])));
    put(`teams/${ns}/gateway.yaml`, gatewayFile(c, ns, apps, team));
    put(`teams/${ns}/ingress.yaml`, ingressFile(c, ns, team));
    put(`teams/${ns}/rbac.yaml`, rbacFile(c, ns));
    put(`nginx/${ns}/edge.conf`, standaloneNginx(c, ns, apps));
    if (kind === 'findings') put(`teams/${ns}/broken.yaml`, brokenFile(ns, apps));
    i++;
  }
  const count = nsList.length;
  const expected: ExpectedFinding[] = [];
  const edits: EditSpec[] = [];
  // fault 1: nginx in a ConfigMap sends Host $host to an in-mesh service
  {
    const f = nsList[faultAt(0.37, count)];
    const file = `teams/${f.ns}/gateway.yaml`;
    const fc = ctx(seed + 1);
    put(file, gatewayFile(fc, f.ns, f.apps, f.team, '$host'));
    expected.push({ rule: 'host-header-passthrough', file });
    edits.push({ kind: 'nginx-host', file, a: 'proxy_set_header Host $host;', b: `proxy_set_header Host ${fqdn(f.apps[0], f.ns)};`, affected: [{ file, rule: 'host-header-passthrough', inA: true, inB: false }] });
  }
  // fault 2: a STRICT namespace policy, and an ingress-nginx Ingress straight to a service there
  {
    const f = nsList[faultAt(0.61, count)];
    const pa = `teams/${f.ns}/peer-authentication.yaml`;
    put(pa, strictPolicy(f.ns));
    put(`teams/${f.ns}/direct-ingress.yaml`, directIngress(f.ns, f.apps[1]));
    expected.push({ rule: 'strict-mtls-plaintext-client', file: pa });
    edits.push({ kind: 'peerauth-mode', file: pa, a: 'mode: STRICT', b: 'mode: PERMISSIVE', affected: [{ file: pa, rule: 'strict-mtls-plaintext-client', inA: true, inB: false }] });
    // a Service selector edit: the directly exposed app no longer selects its pods, so one of the
    // two STRICT findings (gateway + direct app) goes away; the PA file's diagnostics change
    const svcFile = `teams/${f.ns}/apps/${f.apps[1]}.yaml`;
    edits.push({ kind: 'service-selector', file: svcFile, a: `  selector:\n    app: ${f.apps[1]}\n`, b: `  selector:\n    app: ${f.apps[1]}-canary\n`, affected: [{ file: pa, rule: 'strict-mtls-plaintext-client', inA: true, inB: true }] });
  }
  // fault 3: portLevelMtls in a policy without a selector
  {
    const f = nsList[faultAt(0.83, count)];
    const file = `teams/${f.ns}/port-policy.yaml`;
    put(file, portLevelPolicy(f.ns, f.ports[0]));
    expected.push({ rule: 'port-level-mtls-without-selector', file });
  }
  if (kind === 'styled') {
    // the files the server edits stay as generated (edits are text replacements); every other YAML file is restyled
    const edited = new Set(edits.map((e) => e.file));
    let k = 0;
    for (const [p, t] of files) if (p.endsWith('.yaml') && !edited.has(p)) files.set(p, restyle(t, seed + k++));
  }
  return write(size, kind, seed, files, kind === 'findings' ? 'reference' : 'generator', kind === 'findings' ? [] : expected, edits, outDir);
}

function write(size: string, kind: WorkloadKind, seed: number, files: Map<string, string>, expectedFrom: 'generator' | 'reference', expected: ExpectedFinding[], edits: EditSpec[], outDir: string): Manifest {
  fs.rmSync(outDir, { recursive: true, force: true });
  let documents = 0;
  let yamlFiles = 0;
  let bytes = 0;
  for (const [p, t] of files) {
    const abs = path.join(outDir, p);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, t);
    bytes += Buffer.byteLength(t);
    if (/\.ya?ml$/.test(p)) {
      yamlFiles++;
      documents += (t.startsWith('---') ? 0 : 1) + (t.match(/^---$/gm)?.length ?? 0);
    }
  }
  const manifest: Manifest = { size, kind, expectedFrom, seed, bytes, files: files.size, yamlFiles, documents, expected, edits };
  fs.writeFileSync(path.join(outDir, '..', `${size}mb.manifest.json`), JSON.stringify(manifest, null, 2));
  return manifest;
}

const CORPUS_REAL = path.resolve(__dirname, '../../shared/corpus/real');

/**
 * ../shared/corpus/real copied until the size is reached: copy k > 0 renames every namespace it names
 * (`namespace: x`, `x.svc` host forms, Namespace objects) to `x-c<k>` so copies do not merge; cluster
 * objects and istio-system stay shared. Expected findings come from the reference path (see Manifest).
 */
function generateCorpus(size: string, target: number, outDir: string): Manifest {
  const src: { rel: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== 'node_modules') walk(p);
      } else if (/\.(ya?ml|conf)$/i.test(e.name) || e.name === 'nginx.conf') src.push({ rel: path.relative(CORPUS_REAL, p), text: fs.readFileSync(p, 'utf8') });
    }
  };
  if (!fs.existsSync(CORPUS_REAL)) throw new Error(`the corpus workload needs ${CORPUS_REAL}`);
  walk(CORPUS_REAL);
  const once = src.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const copies = Math.max(1, Math.round(target / once));
  const files = new Map<string, string>();
  for (let k = 0; k < copies; k++) {
    for (const f of src) {
      let t = f.text;
      if (k > 0) {
        const suffix = `-c${k}`;
        t = t
          .replace(/^(\s*namespace:\s*["']?)([a-z0-9][a-z0-9-]*)(["']?\s*(?:#.*)?)$/gm, (m0, a: string, ns: string, b: string) => (ns === 'istio-system' ? m0 : `${a}${ns}${suffix}${b}`))
          .replace(/\.([a-z0-9][a-z0-9-]*)\.svc\b/g, (m0, ns: string) => (ns === 'istio-system' ? m0 : `.${ns}${suffix}.svc`))
          .replace(/^(kind:\s*Namespace\s*\nmetadata:\s*\n\s+name:\s*)([a-z0-9-]+)/gm, (m0, a: string, ns: string) => (ns === 'istio-system' ? m0 : `${a}${ns}${suffix}`));
      }
      files.set(`copy-${k}/${f.rel}`, t);
    }
  }
  return write(size, 'corpus', 0, files, 'reference', [], [], outDir);
}

export function workspaceDir(size: string): string {
  return path.join(__dirname, 'workspaces', `${size}mb`);
}

/** Generate unless the workspace exists with the same manifest (cheap check). */
export function ensure(size: string, force = false): Manifest {
  const dir = workspaceDir(size);
  const mf = path.join(dir, '..', `${size}mb.manifest.json`);
  if (!force && fs.existsSync(mf) && fs.existsSync(dir)) {
    const m = JSON.parse(fs.readFileSync(mf, 'utf8')) as Manifest;
    if (m.edits && m.expected && (m.kind ?? 'own') === parseWorkload(size).kind) return m;
  }
  return generate(size, dir);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const si = args.indexOf('--sizes');
  const sizes = si >= 0 ? args[si + 1].split(',') : ['1', '10', '50'];
  for (const s of sizes) {
    const t0 = Date.now();
    const m = generate(s, workspaceDir(s));
    console.log(`${s} MB: ${m.files} files (${m.yamlFiles} YAML, ${m.documents} documents, ${(m.documents / m.yamlFiles).toFixed(2)}/file), ${(m.bytes / 1048576).toFixed(1)} MB, ${(m.bytes / m.files / 1024).toFixed(1)} KB/file in ${Date.now() - t0} ms`);
  }
}
