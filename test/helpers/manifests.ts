/**
 * Small Kubernetes manifests for tests that build workspaces in code (partial-analysis scenarios and
 * the LSP partial-analysis test): a Namespace, a Deployment with its Service, a namespace-wide STRICT
 * PeerAuthentication, an ingress-nginx Ingress.
 */
export const ns = (name: string, labels = '') => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${labels ? `  labels:\n${labels}` : ''}`;

export const app = (name: string, namespace: string, extraPodLabels = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
${extraPodLabels}    spec:
      containers:
        - name: ${name}
          image: example/${name}:1
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;

export const strict = (namespace: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: ${namespace}
spec:
  mtls:
    mode: STRICT
`;

export const ingress = (namespace: string, svc: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: site
  namespace: ${namespace}
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${svc}
                port:
                  number: 80
`;

/** Namespace labels for sidecar injection, for `ns(name, INJECTED)`. */
export const INJECTED = '    istio-injection: enabled\n';
