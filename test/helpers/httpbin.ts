/** httpbin as a user's manifests for end-to-end release tests: a Service and its v1 Deployment. */
import path from 'node:path';
import { ROOT } from './instance.js';

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

/**
 * Logs each request as it arrives (`arrived GET /delay/10`; httpbin logs it again when answered),
 * waits for `$READY_DIR/$SERVICE_VERSION`, then runs httpbin.
 */
const GATED = "require('diagnostics_channel').subscribe('http.server.request.start',({request})=>console.log('arrived',request.method,request.url));const f=require('path').join(process.env.READY_DIR,process.env.SERVICE_VERSION);const t=setInterval(()=>{if(require('fs').existsSync(f)){clearInterval(t);import(process.env.HTTPBIN_MAIN)}},100)";

/**
 * A container whose readiness comes when the test says: an image outside the catalog (so its
 * command runs, and a release's new version with another such image runs it too) that starts
 * httpbin only once the file `<readyDir>/<version>` exists. Its log shows a request once it
 * has reached the pod, before it is answered.
 */
export function lateHttpbinContainer(readyDir: string): string {
  return `      - image: example.com/late/httpbin:1
        command: ["node", "-e", "${GATED}"]
        env:
        - name: READY_DIR
          value: ${readyDir}
        - name: HTTPBIN_MAIN
          value: ${path.join(ROOT, 'dist/samples/httpbin/main.js')}
`;
}
