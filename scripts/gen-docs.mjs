#!/usr/bin/env node
// Writes docs/CLI.md from the CLI's own help and docs/API.md from the OpenAPI
// document, so both references stay true to the code. Run after `npm run build`.
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const { buildProgram } = await import('../dist/src/cli/main.js');
const program = buildProgram(() => undefined);

function walk(cmd, prefix, out) {
  const name = `${prefix}${cmd.name()}`.trim();
  if (cmd._hidden) return;
  const help = cmd.helpInformation().replace(/^Usage: /, '').trimEnd();
  if (prefix) out.push(`## ${name}\n\n\`\`\`\n${help.startsWith(cmd.name()) ? `graymesh ${prefix.replace(/^graymesh /, '')}${help}` : help}\n\`\`\`\n`);
  for (const sub of cmd.commands) walk(sub, `${name} `, out);
}

const sections = [];
walk(program, '', sections);
const cli = `# graymesh CLI reference

Generated from the CLI's own help (\`node scripts/gen-docs.mjs\`). Every command
finds its instance through \`--home DIR\` or \`GRAYMESH_HOME\` (or \`GRAYMESH_URL\` and
\`GRAYMESH_TOKEN\`), exits 0 on success, and on failure prints one line
\`error: ...\` on stderr and exits non-zero (a stack trace only with \`--debug\`).

${sections.join('\n')}`;
writeFileSync('docs/CLI.md', cli);

// The API document: start a throwaway instance without the sample and read /api/openapi.json.
const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
const os = await import('node:os');
const path = await import('node:path');
const home = mkdtempSync(path.join(os.tmpdir(), 'graymesh-docs-'));
const env = { ...process.env, GRAYMESH_HOME: home };
const net = await import('node:net');
const free = () => new Promise((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const port = await free();
const gw = await free();
const gwTls = await free();
spawnSync(process.execPath, ['bin/graymesh.js', 'up', '--detach', '--no-sample', '--port', String(port), '--gateway-port', String(gw), '--gateway-tls-port', String(gwTls)], { env });
try {
  // The document is behind authentication like every API route: read it with the home's instance token.
  const token = /^token:\s*(\S+)/m.exec(readFileSync(path.join(home, 'admin-credentials'), 'utf8'))?.[1];
  const doc = await (await fetch(`http://127.0.0.1:${port}/api/openapi.json`, { headers: { authorization: `Bearer ${token}` } })).json();
  const rows = [];
  for (const [p, ops] of Object.entries(doc.paths).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [method, op] of Object.entries(ops)) {
      const q = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
      rows.push(`| \`${method.toUpperCase()}\` | \`${p}\`${q.length ? ` <br>query: ${q.map((x) => `\`${x}\``).join(', ')}` : ''} | ${op.summary}${op.security ? '' : ' (no credentials)'} |`);
    }
  }
  writeFileSync(
    'docs/API.md',
    `# graymesh REST API

The CLI and the console speak only this API. The machine-readable document is
served at \`/api/openapi.json\`; this table is generated from it
(\`node scripts/gen-docs.mjs\`).

- Authentication: \`Authorization: Bearer <token>\` on every route but health
  and login: the instance token under the home (the CLI on the home), a session
  from \`POST /api/v1/login\` (\`graymesh login\`, 12 h), or a scoped token for
  \`/metrics\` or span ingestion (\`graymesh token create\`). A project the
  caller has no role on answers 404; a role too weak, 403.
- Objects are Kubernetes-shaped (\`apiVersion\`, \`kind\`, \`metadata\`, \`spec\`,
  \`status\`). Lists answer \`{"items": [...]}\`. An update whose
  \`metadata.resourceVersion\` is stale answers 409.
- Errors answer \`{"error": {"code": "GM_ERR_...", "message": "...", "details": [...]}}\`
  with the HTTP status of the code (400, 401, 403, 404, 409, 413, 422, 429, 503, 504).
  The message names the object, the field and the fix.
- Writes that change traffic (apply, release operations) return once every
  proxy enforces the change.
- A traffic object (VirtualService, DestinationRule, Gateway, ServiceEntry)
  names only hosts of its own project, or of a project that lets it in
  (\`PATCH /api/v1/projects/{project}\` with \`{"allowRoutesFrom": [...]}\`);
  any other host answers 422 naming the field and the owner (ARCHITECTURE.md,
  Tenancy).
- Secrets (\`v1 Secret\`, \`secrets\`) need project-admin on every route and in
  manifests; their \`data\` is answered only with \`?showSecrets=true\`, each value
  otherwise reading \`REDACTED (N bytes; ...)\`.
- A Deployment's \`status\` is Kubernetes': \`observedGeneration\` (the
  \`metadata.generation\` its pods were made for; generation moves on a spec
  change only), \`replicas\`, \`updatedReplicas\` (pods of the current
  template), \`readyReplicas\`, \`availableReplicas\` (pods whose readiness
  check passes), \`unavailableReplicas\`, and \`conditions\` \`Available\`
  (\`MinimumReplicasAvailable\` once ready pods reach replicas − maxUnavailable)
  and \`Progressing\` (\`ReplicaSetUpdated\` while rolling out,
  \`NewReplicaSetAvailable\` when done, \`ProgressDeadlineExceeded\` after
  progressDeadlineSeconds without progress). Its annotation
  \`deployment.kubernetes.io/revision\` is the current revision; each revision
  is an \`apps/v1 ReplicaSet\` (\`GET /api/v1/projects/{project}/replicasets\`,
  read-only) holding that pod template, which an undo writes back.
- A Pod's \`status\` has \`phase\`, \`podIP\`/\`hostIP\` (127.0.0.1),
  \`startTime\`, \`conditions\` (\`Ready\` when its readiness check passes) and
  \`containerStatuses\` (\`ready\`, \`restartCount\`, \`state\`, \`lastState\`);
  \`spec.nodeName\` is \`local\`, and a pod being stopped carries
  \`metadata.deletionTimestamp\`.

| method | path | what it does |
|---|---|---|
${rows.join('\n')}
`,
  );
} finally {
  spawnSync(process.execPath, ['bin/graymesh.js', 'down'], { env });
  rmSync(home, { recursive: true, force: true });
}
