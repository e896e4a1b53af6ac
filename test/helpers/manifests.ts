/**
 * Small Kubernetes manifests for tests that build workspaces in code (partial-analysis scenarios and
 * the LSP partial-analysis test): a Namespace, a Deployment with its Service, a namespace-wide STRICT
 * PeerAuthentication, an ingress-nginx Ingress, the ingress-nginx controller, an Istio Gateway.
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

/** The ingress-nginx controller Deployment (extra pod-template labels indented 8 spaces). */
export const controller = (podLabels = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: ingress-nginx
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ingress-nginx
${podLabels}    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.10.0
`;

/** An Istio Gateway for the ingress gateway, port 80, any host. */
export const gateway = (namespace: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: ${namespace}
  namespace: ${namespace}
spec:
  selector:
    istio: ingressgateway
  servers:
    - port:
        number: 80
        name: http
        protocol: HTTP
      hosts: ["*"]
`;
