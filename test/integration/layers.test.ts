/**
 * The dependency rule of docs/ARCHITECTURE.md is enforced by `npm run lint`:
 * the project's own ESLint configuration, asked about an import across layers
 * in a file placed in each layer, refuses it with a message naming the rule,
 * and lets the imports the rule allows through.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/instance.js';

const eslint = new ESLint({ cwd: ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rule', () => {
  it.each([
    ['src/dataplane/probe.ts', '../controlplane/store.js', 'dataplane must not import controlplane'],
    ['src/dataplane/istio/probe.ts', '../../kubernetes/client.js', 'dataplane must not import kubernetes'],
    ['src/controlplane/routes/probe.ts', '../../dataplane/node-proxy.js', 'controlplane must not import dataplane'],
    ['src/controlplane/probe.ts', '../kubernetes/informer.js', 'controlplane must not import kubernetes'],
    ['src/kubernetes/probe.ts', '../controlplane/store.js', 'kubernetes must not import controlplane'],
    ['src/config/probe.ts', '../runtime/home.js', 'config must not import runtime'],
    ['src/api/probe.ts', '../config/snapshot.js', 'api must not import config'],
    ['src/telemetry/query/probe.ts', '../../controlplane/telemetry/span-store.js', 'telemetry must not import controlplane'],
    ['console/src/probe.ts', '../../src/controlplane/store.js', 'console must not import controlplane'],
    ['src/apiserver/routes/probe.ts', '../../controlplane/store.js', 'apiserver must not import controlplane'],
    ['src/apiserver/probe.ts', '../kubernetes/client.js', 'apiserver must not import kubernetes'],
    ['src/engine/probe.ts', '../apiserver/server.js', 'engine must not import apiserver'],
  ])('%s importing %s fails: %s', async (file, spec, rule) => {
    const found = await problems(file, `import { x } from '${spec}';\nexport const y = x;\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`layer rule (docs/ARCHITECTURE.md, Folders): ${rule}`);
  });

  it.each([
    ['src/dataplane/probe.ts', '../runtime/handover-protocol.js'],
    ['src/dataplane/probe.ts', '../telemetry/stats.js'],
    ['src/kubernetes/probe.ts', '../telemetry/query/metrics.js'],
    ['src/controlplane/probe.ts', '../config/export/export.js'],
    ['src/kubernetes/probe.ts', '../apiserver/server.js'],
    ['src/apiserver/probe.ts', '../engine/store.js'],
    ['console/src/probe.ts', '../../src/api/roles.js'],
  ])('%s may import %s', async (file, spec) => {
    expect(await problems(file, `import { x } from '${spec}';\nexport const y = x;\n`)).toEqual([]);
  });
});
