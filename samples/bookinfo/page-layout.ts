/**
 * The HTML shell of productpage's pages. Self-contained on purpose: the page is
 * fetched through the mesh in tests and demos, and external CSS or fonts would
 * add calls that are not part of Bookinfo's topology.
 */
import { escapeHtml } from '../lib/http-io.js';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f8fafc}
a{color:#1d4ed8}
header{background:#1f2937;color:#f9fafb}
header .bar{max-width:64rem;margin:0 auto;padding:.75rem 1.5rem;display:flex;align-items:center;justify-content:space-between;gap:1rem;flex-wrap:wrap}
header .brand{font-weight:600;font-size:1.1rem;color:#f9fafb;text-decoration:none}
header a{color:#cbd5e1}
header form{display:flex;gap:.5rem;align-items:center;margin:0}
header input{padding:.35rem .5rem;border:1px solid #475569;border-radius:.375rem;background:#f8fafc;font:inherit;width:9rem}
button{padding:.35rem .9rem;border:0;border-radius:.375rem;background:#2563eb;color:#fff;font:inherit;font-weight:600;cursor:pointer}
main{max-width:64rem;margin:0 auto;padding:2rem 1.5rem}
h1{font-size:2.5rem;line-height:1.1;margin:0 0 1rem;color:#1e3a8a}
h2{font-size:1.5rem;margin:0 0 1rem}
.summary{font-size:1.1rem;color:#475569;max-width:48rem}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:2rem;margin-top:2rem}
section.panel{background:#fff;border:1px solid #e2e8f0;border-radius:.75rem;padding:1.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dt{font-weight:600}
dd{margin:0;color:#475569}
.review{border-left:3px solid #cbd5e1;margin:0 0 1.25rem;padding:.25rem 0 .25rem 1rem}
.review p{margin:0 0 .35rem}
.reviewer{font-size:.9rem;color:#64748b}
.stars{font-size:1.25rem;letter-spacing:.1em}
.error{color:#b91c1c}
.served-by{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;color:#475569;margin-top:1rem}
table{border-collapse:collapse}
td,th{border:1px solid #e2e8f0;padding:.35rem .75rem;text-align:left}
`;

/** Wraps `body` in a complete page titled `title`. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
