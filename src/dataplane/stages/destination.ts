/**
 * The route's destination: its cluster, or a 503 when it has none (a subset no
 * DestinationRule defines: NR; a host neither a service nor a ServiceEntry:
 * UH). The record learns the cluster and its service here.
 */
import type { Exchange } from './exchange.js';
import { localReply } from './local-reply.js';
import { CONTINUE, STOP, type Next, type Stage } from './stage.js';

export class Destination implements Stage {
  readonly name = 'destination';

  run(x: Exchange): Next {
    const action = x.action;
    const cluster = action.cluster;
    const rec = x.rec;
    if (!cluster) {
      rec.flags = action.missingFlag ?? 'NR';
      localReply(x.res, rec, 503, `${action.missing ?? 'no healthy upstream'}\n`);
      return STOP;
    }
    x.cluster = cluster;
    rec.upstreamCluster = cluster.name;
    rec.destinationService = cluster.service.fqdn;
    rec.destinationServiceName = cluster.service.name;
    rec.destinationProject = cluster.service.project;
    return CONTINUE;
  }
}
