/** httpbin as a user's manifests for end-to-end release tests: a Service and its v1 Deployment. */

/**
 * The manifests; `container` replaces the container's image line and adds fields (a command,
 * env), e.g. a workload whose readiness comes late.
 */
export function httpbinManifests(container = '      - image: docker.io/graymesh/httpbin:1.0\n'): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: httpbin
  labels:
    app: httpbin
    service: httpbin
spec:
  ports:
  - name: http
    port: 8000
    targetPort: 8080
  selector:
    app: httpbin
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpbin-v1
spec:
  replicas: 1
  selector:
    matchLabels:
      app: httpbin
      version: v1
  template:
    metadata:
      labels:
        app: httpbin
        version: v1
    spec:
      containers:
${container}        imagePullPolicy: IfNotPresent
        name: httpbin
        ports:
        - containerPort: 8080
`;
}
