/** Reading manifests for apply and delete: multi-document YAML or JSON, from a file or stdin. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { invalid } from '../api/errors.js';

function readSource(file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw invalid(`${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** Every document in file (or in each .yaml/.yml/.json file of a directory), List kinds flattened. */
export function readManifests(file: string): unknown[] {
  if (file !== '-' && statSafe(file)?.isDirectory()) {
    return readdirSync(file)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()
      .flatMap((f) => readManifests(path.join(file, f)));
  }
  // Editors on Windows may write a byte order mark; it is not part of the document.
  const text = readSource(file).replace(/^\uFEFF/, '');
  const name = file === '-' ? 'stdin' : file;
  const docs: unknown[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      docs.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    } catch (err) {
      throw invalid(`${name}: invalid JSON: ${(err as Error).message}`);
    }
  } else {
    for (const d of parseAllDocuments(text)) {
      if (d.errors.length > 0) {
        const e = d.errors[0] as { message: string; linePos?: { line: number; col: number }[] };
        const where = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
        // The library's first line repeats the position ("... at line 5, column 1:"); keep the reason only.
        const reason = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
        throw invalid(`${name}: invalid YAML${where}: ${reason}`);
      }
      const v = d.toJS() as unknown;
      if (v !== null && v !== undefined) docs.push(v);
    }
  }
  return docs.flatMap((d) => {
    const o = d as { kind?: unknown; items?: unknown };
    return o && typeof o === 'object' && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items) ? o.items : [d];
  });
}

function statSafe(f: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(f);
  } catch {
    return undefined;
  }
}
