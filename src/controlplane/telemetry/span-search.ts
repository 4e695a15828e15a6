/**
 * The span store's search predicate (Jaeger's semantics: a trace matches when
 * one of its spans matches every condition). Indexed tags are looked up in
 * span_tags; the rest are read from the span's own tags, within the other
 * bounds of the query.
 */
import type { SpanQuery } from '../../telemetry/query/span-query.js';
import { indexed } from './span-schema.js';

/** The WHERE clause (empty when the query has no condition) and its arguments. */
export function spanPredicate(q: SpanQuery): { sql: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.namespace !== undefined) {
    const svcs = q.projectServices ?? [];
    if (svcs.length > 0) {
      where.push(`(namespace = ? OR (namespace = '' AND service IN (${svcs.map(() => '?').join(', ')})))`);
      args.push(q.namespace, ...svcs);
    } else {
      where.push('namespace = ?');
      args.push(q.namespace);
    }
  }
  if (typeof q.service === 'string') {
    where.push('service = ?');
    args.push(q.service);
  } else if (q.service !== undefined && q.service.length > 0) {
    where.push(`service IN (${q.service.map(() => '?').join(', ')})`);
    args.push(...q.service);
  }
  if (q.operation !== undefined) {
    where.push('operation = ?');
    args.push(q.operation);
  }
  if (q.minDurationUs !== undefined) {
    where.push('duration_us >= ?');
    args.push(Math.round(q.minDurationUs));
  }
  if (q.maxDurationUs !== undefined) {
    where.push('duration_us <= ?');
    args.push(Math.round(q.maxDurationUs));
  }
  if (q.startUs !== undefined) {
    where.push('start_us >= ?');
    args.push(Math.round(q.startUs));
  }
  if (q.endUs !== undefined) {
    where.push('start_us <= ?');
    args.push(Math.round(q.endUs));
  }
  for (const [k, v] of Object.entries(q.tags ?? {})) {
    if (indexed(k, v)) {
      where.push('EXISTS (SELECT 1 FROM span_tags t WHERE t.span = spans.id AND t.key = ? AND t.value = ?)');
      args.push(k, v);
    } else {
      // JSON true/false read back as 1/0: compare them by their JSON type.
      const path = `$.${JSON.stringify(k)}`;
      where.push("(CASE json_type(tags, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(tags, ?) AS TEXT) END) = ?");
      args.push(path, path, v);
    }
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}
