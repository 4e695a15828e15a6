/**
 * Merging Prometheus text expositions (prometheus.io/docs/instrumenting/exposition_formats):
 * the control plane's `/metrics` is every proxy's `/stats/prometheus` put
 * together, one HELP and TYPE per metric family, series as the proxies wrote
 * them. Two proxies reporting the very same series (same name and labels)
 * are summed, since one exposition may not repeat a series.
 */

interface Family {
  name: string;
  help?: string;
  type?: string;
  /** Series key (name + labels text) → value, in first-seen order. */
  samples: Map<string, number>;
}

/** Splits a sample line into its series text (name and labels) and value; undefined when it is not one. */
export function splitSample(line: string): { series: string; name: string; value: number } | undefined {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i] as string)) i++;
  const name = line.slice(0, i);
  if (!name) return undefined;
  if (line[i] === '{') {
    let quoted = false;
    for (i++; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '\\') i++;
      else if (c === '"') quoted = !quoted;
      else if (!quoted && c === '}') break;
    }
    if (i >= line.length) return undefined;
    i++;
  }
  const series = line.slice(0, i);
  const rest = line.slice(i).trim().split(/\s+/);
  const text = rest[0] ?? '';
  const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
  if (text === '' || (Number.isNaN(value) && text !== 'NaN')) return undefined;
  return { series, name, value };
}

const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info'];

function familyOf(name: string, families: Map<string, Family>, current: Family | undefined): string {
  if (current && (name === current.name || SUFFIXES.some((s) => name === current.name + s))) return current.name;
  for (const s of SUFFIXES) if (name.endsWith(s) && families.has(name.slice(0, -s.length))) return name.slice(0, -s.length);
  return name;
}

function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Merges expositions into one; families keep the order they first appear in. */
export function mergeExpositions(texts: string[]): string {
  const families = new Map<string, Family>();
  const get = (name: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, samples: new Map() }));
    return f;
  };
  for (const text of texts) {
    let current: Family | undefined;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const meta = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(.*)$/.exec(line);
      if (meta) {
        current = get(meta[2] as string);
        if (meta[1] === 'HELP') current.help ??= meta[3] ?? '';
        else current.type ??= meta[3] ?? 'untyped';
        continue;
      }
      if (line.startsWith('#')) continue;
      const s = splitSample(line);
      if (!s) continue;
      const fam = get(familyOf(s.name, families, current));
      fam.samples.set(s.series, (fam.samples.get(s.series) ?? 0) + s.value);
    }
  }
  const out: string[] = [];
  for (const f of families.values()) {
    if (f.samples.size === 0 && !f.type) continue;
    if (f.help !== undefined) out.push(`# HELP ${f.name} ${f.help}`);
    if (f.type !== undefined) out.push(`# TYPE ${f.name} ${f.type}`);
    for (const [series, v] of f.samples) out.push(`${series} ${formatValue(v)}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
