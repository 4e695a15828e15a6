/**
 * The httpbin conformance cases (httpbin.test.ts) again, every request from
 * the mesh sent as HTTP/2 with prior knowledge (h2c) to the caller's outbound
 * listener: each Istio rule applies to an HTTP/2 stream as to an HTTP/1.1
 * request. Every case applies (the access-log case checks the line says
 * HTTP/2); config.test.ts is not run again, since it sends no request to the
 * data plane (Istio objects through the CLI). Upstream, httpbin's port is
 * HTTP/1.1, so each request crosses from HTTP/2 to HTTP/1.1 at the proxy.
 */
import { speak } from './mesh.js';

speak('h2c');
await import('./httpbin.test.js');
