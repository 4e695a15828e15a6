/** An answer the proxy makes itself (no route, overflow, fault abort, timeout), as Envoy's local replies. */
import type { Http1Response } from '../http1/server.js';
import type { RequestRecord } from '../request-record.js';

/** Answers `status` with a plain-text body; when the head is already out, the client's connection is cut instead. */
export function localReply(res: Http1Response, rec: RequestRecord, status: number, body: string): void {
  rec.status = status;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  rec.bytesSent = Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': rec.bytesSent });
  res.end(body);
}
