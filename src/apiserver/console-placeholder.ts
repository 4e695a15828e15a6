/** The page served at / until the console is built. */
export const CONSOLE_PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>graymesh</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:4rem auto;color:#242e42}code{background:#eff4f9;padding:0 .3rem}</style>
</head><body><h1>graymesh</h1>
<p>The control plane is running. The web console is served here once built; until then use the CLI:</p>
<p><code>graymesh get apps -p demo-project</code></p>
<p>The REST API is described at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
`;
