/** A small OpenAPI 3.1 document, filled in by each route group as it registers its routes. */

interface Operation {
  summary: string;
  security?: { bearer: string[] }[];
  responses: Record<string, { description: string }>;
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: { type: string } }[];
}

export class OpenApi {
  private readonly paths: Record<string, Record<string, Operation>> = {};

  /** Adds a route; `/api/v1/projects/:project` becomes `/api/v1/projects/{project}`. */
  add(method: string, url: string, summary: string, secured = true, query: string[] = []): void {
    const path = url.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1] as string,
      in: 'path' as const,
      required: true,
      schema: { type: 'string' },
    }));
    const op: Operation = {
      summary,
      responses: { '200': { description: 'OK' }, default: { description: 'An error: {"error": {"code", "message", "details"}}' } },
    };
    const all = [...params, ...query.map((q) => ({ name: q, in: 'query' as const, required: false, schema: { type: 'string' } }))];
    if (all.length > 0) op.parameters = all;
    if (secured) op.security = [{ bearer: [] }];
    (this.paths[path] ??= {})[method.toLowerCase()] = op;
  }

  document(): unknown {
    return {
      openapi: '3.1.0',
      info: { title: 'graymesh', version: '0.1.0', description: 'The graymesh REST API: objects, releases, telemetry.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      paths: this.paths,
    };
  }
}
