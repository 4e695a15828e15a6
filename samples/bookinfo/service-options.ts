/** Options every Bookinfo service accepts. */
import type { ProxySettings } from '../lib/proxy-config.js';

/** Where a service listens and how it reaches others. */
export interface ServiceOptions extends ProxySettings {
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Address to bind; 127.0.0.1 when left out. */
  host?: string;
  /** Access-log sink; stdout when left out. */
  log?: (line: string) => void;
}
