/**
 * What the API answers of a Secret: its data only when asked (`?showSecrets=true`, which the
 * guard lets only a project-admin reach, as every read of Secrets); otherwise each value is
 * replaced by a placeholder saying how long it is, which apply refuses if sent back.
 */
import type { KubeObject } from '../../api/objects.js';
import { REDACTED_PREFIX } from '../../config/secrets/tls-pair.js';

export const SHOW_SECRETS = 'showSecrets';

/** Whether the query asks for Secret data. */
export function showsSecrets(query: unknown): boolean {
  const v = (query as Record<string, unknown> | undefined)?.[SHOW_SECRETS];
  return v === 'true' || v === '1';
}

/** The object as the caller may see it. */
export function shown<T extends KubeObject>(o: T, showData: boolean): T {
  if (o.kind !== 'Secret' || showData) return o;
  const data = (o as { data?: Record<string, unknown> }).data;
  if (!data) return o;
  const hidden: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    const bytes = typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
    hidden[k] = `${REDACTED_PREFIX} (${bytes} bytes; --show-secrets to see)`;
  }
  return { ...o, data: hidden };
}
