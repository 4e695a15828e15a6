#!/usr/bin/env node
// The node proxy is started as `graymesh proxy`; it loads only the data plane,
// not the CLI and control plane, so its memory and start-up stay small.
if (process.argv[2] === 'proxy' && process.argv.length === 3) {
  const { runProxy } = await import('../dist/src/dataplane/main.js');
  await runProxy();
} else {
  const { main } = await import('../dist/src/cli/main.js');
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
