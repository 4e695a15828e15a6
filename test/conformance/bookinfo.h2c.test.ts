/**
 * The Bookinfo tasks (bookinfo.test.ts) again, every request sent as HTTP/2
 * with prior knowledge (h2c) to the gateway and to the outbound listeners.
 */
import { speak } from './mesh.js';

speak('h2c');
await import('./bookinfo.test.js');
