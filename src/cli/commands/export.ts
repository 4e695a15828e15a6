/**
 * `graymesh export -p PROJECT [-o yaml|json]`: the project as manifests that `kubectl apply -f`
 * takes on a cluster with Istio. YAML is a multi-document stream; JSON is a v1 List.
 */
import { stringify } from 'yaml';
import { invalid } from '../../api/errors.js';
import type { KubeObject } from '../../api/objects.js';
import type { ApiClient } from '../client.js';

export interface ExportCmdOptions {
  output?: string;
  /** false: leave the CustomResourceDefinitions out. */
  crds: boolean;
  /** Only the CustomResourceDefinitions. */
  crdsOnly: boolean;
  /** false: no ingress Gateway for the app's entry. */
  ingress: boolean;
}

interface ExportBody {
  items: KubeObject[];
  warnings: string[];
}

/** A multi-document YAML stream, one `---` before each document, as hand-written manifests read. */
export function toYamlStream(items: KubeObject[]): string {
  return items.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

export async function exportCmd(client: ApiClient, project: string, o: ExportCmdOptions): Promise<number> {
  const format = o.output ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') throw invalid(`-o ${format}: unknown output format; use yaml or json`);
  const q = new URLSearchParams();
  if (!o.crds) q.set('crds', 'false');
  if (o.crdsOnly) q.set('crdsOnly', 'true');
  if (!o.ingress) q.set('ingress', 'false');
  const query = q.size > 0 ? `?${q.toString()}` : '';
  const body = await client.get<ExportBody>(`/api/v1/projects/${encodeURIComponent(project)}/export${query}`);
  for (const w of body.warnings) process.stderr.write(`warning: ${w}\n`);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: body.items }, null, 2)}\n`);
  } else {
    process.stdout.write(toYamlStream(body.items));
  }
  return 0;
}
