import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GmError } from '../api/errors.js';
import { readManifests } from './manifests.js';

let dir: string;

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): GmError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GmError);
    return err as GmError;
  }
  throw new Error('expected a GmError, nothing was thrown');
}

const names = (docs: unknown[]): string[] => docs.map((d) => (d as { metadata: { name: string } }).metadata.name);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gm-manifests-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('readManifests', () => {
  it('reads every document of a multi-document YAML file, skipping empty and comment-only ones', () => {
    const f = file(
      'bookinfo.yaml',
      `# Bookinfo, as kubectl would take it
apiVersion: v1
kind: Service
metadata:
  name: reviews
  labels: {app: reviews}
spec:
  ports:
  - port: 9080
    name: http
---
---
# only a comment here
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v2
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: reviews
        image: docker.io/istio/examples-bookinfo-reviews-v2:1.20.1
`,
    );
    const docs = readManifests(f);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', labels: { app: 'reviews' } }, spec: { ports: [{ port: 9080, name: 'http' }] } });
    expect(names(docs)).toEqual(['reviews', 'reviews-v2']);
    // Numbers stay numbers, as JSON would have them.
    expect((docs[1] as { spec: { replicas: unknown } }).spec.replicas).toBe(1);
  });

  it('reads a JSON object as one document', () => {
    const f = file('ns.json', ` \n{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}\n`);
    expect(readManifests(f)).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }]);
  });

  it('reads a JSON array as one document per element', () => {
    const f = file(
      'all.json',
      JSON.stringify([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      ]),
    );
    expect(names(readManifests(f))).toEqual(['a', 'b']);
  });

  it('flattens a List kind into its items, in YAML and in JSON', () => {
    // `kubectl get -o yaml` writes a v1 List; applying it means applying each item.
    const yaml = file(
      'list.yaml',
      `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Service, metadata: {name: details}}
- {apiVersion: v1, kind: Service, metadata: {name: ratings}}
---
apiVersion: v1
kind: Namespace
metadata: {name: demo}
`,
    );
    expect(names(readManifests(yaml))).toEqual(['details', 'ratings', 'demo']);
    const json = file(
      'list.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'ServiceList', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }] }),
    );
    expect(names(readManifests(json))).toEqual(['x']);
  });

  it('keeps a document whose kind merely ends in "List" when it has no items array', () => {
    const f = file('odd.yaml', 'apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: odd}\nspec: {}\n');
    expect(names(readManifests(f))).toEqual(['odd']);
  });

  it('reads every .yaml, .yml and .json file of a directory in name order, ignoring other files', () => {
    const sub = path.join(dir, 'manifests');
    mkdirSync(sub);
    writeFileSync(path.join(sub, 'b.yml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: second}\n');
    writeFileSync(path.join(sub, 'a.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: first}\n');
    writeFileSync(path.join(sub, 'c.json'), '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"third"}}');
    writeFileSync(path.join(sub, 'README.md'), '# not a manifest: {');
    expect(names(readManifests(sub))).toEqual(['first', 'second', 'third']);
  });

  it('rejects invalid YAML with a GmError naming the file and the line', () => {
    const f = file(
      'broken.yaml',
      `apiVersion: v1
kind: Service
metadata:
  name: reviews
 labels: oops
`,
    );
    const err = errorOf(() => readManifests(f));
    expect(err.status).toBe(422);
    expect(err.message).toContain(f);
    expect(err.message).toContain('invalid YAML');
    // The mis-indented key is on line 5 (1-based, as an editor counts).
    expect(err.message).toMatch(/line 5\b/);
  });

  it('reports a duplicate key with its line', () => {
    const f = file('dup.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\nkind: Again\n');
    expect(errorOf(() => readManifests(f)).message).toMatch(/line 5\b/);
  });

  it('states the YAML error position once, as one sentence', () => {
    // The message is what the user reads in the CLI and the console: the position once, no dangling colon.
    const f = file('dup.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\nkind: Again\n');
    const message = errorOf(() => readManifests(f)).message;
    expect(message.match(/line 5/g)).toHaveLength(1);
    expect(message).not.toMatch(/:\s*$/);
  });

  it('names the line of the error in a later document of a multi-document file', () => {
    // Lines count from the top of the file, not of the document: the stray key is on line 8.
    const f = file('second-broken.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\nkind: Service\nmetadata:\n  name: a\n bad: 1\n');
    const err = errorOf(() => readManifests(f));
    expect(err.message).toMatch(/line 8\b/);
  });

  it('rejects invalid JSON with a GmError naming the file', () => {
    const f = file('broken.json', '{"apiVersion": "v1", "kind": }');
    const err = errorOf(() => readManifests(f));
    expect(err.status).toBe(422);
    expect(err.message).toContain(f);
    expect(err.message).toContain('invalid JSON');
  });

  it('reads a JSON file saved with a UTF-8 byte order mark', () => {
    // Editors on Windows write a BOM; kubectl reads such files. The BOM is not part of the JSON text.
    const f = file('bom.json', '\uFEFF{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bom"}}');
    expect(names(readManifests(f))).toEqual(['bom']);
  });

  it('rejects a missing file with a GmError saying there is no such file', () => {
    const missing = path.join(dir, 'nope.yaml');
    const err = errorOf(() => readManifests(missing));
    expect(err.status).toBe(422);
    expect(err.message).toBe(`${missing}: no such file`);
  });
});
