/** v1 Namespace (a project): the projects its allow-routes-from annotation lets in. */
import { ALLOW_ROUTES_ANNOTATION } from '../../../api/objects.js';
import { at, type Report } from '../issues.js';
import { isDns1123Label, rec, str } from '../values.js';

export function checkNamespace(obj: Record<string, unknown>, r: Report): void {
  const meta = rec(obj.metadata);
  const allow = str(rec(meta?.annotations)?.[ALLOW_ROUTES_ANNOTATION]);
  if (allow === undefined) return;
  const path = at('metadata.annotations', ALLOW_ROUTES_ANNOTATION);
  for (const entry of allow.split(',').map((s) => s.trim())) {
    if (entry === '') continue;
    if (!isDns1123Label(entry)) r.error(path, `"${entry}" is not a project name; list projects separated by commas, e.g. "shop,payments"`);
    else if (entry === str(meta?.name)) r.error(path, `lists the project itself, whose rules always apply to its own hosts; remove "${entry}"`);
  }
}
