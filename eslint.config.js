import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dependency rule of docs/ARCHITECTURE.md ("Folders"), one entry per
 * layer of src/: the folders of src/ it may NOT import. Imports point one way:
 * api ← config ← telemetry, runtime ← dataplane; the shared REST API
 * (apiserver) builds on api, config, telemetry and engine; the two engines
 * (controlplane, kubernetes) build on api, config, telemetry, runtime, engine
 * and apiserver, never on each other or on the data plane; the Kubernetes API (kubeapi) on api,
 * config, telemetry, engine and apiserver, never an engine; cli wires everything;
 * the console may use api and config (shared types) only.
 */
const LAYERS = {
  api: ['config', 'telemetry', 'runtime', 'dataplane', 'engine', 'apiserver', 'controlplane', 'kubernetes', 'kubeapi', 'cli'],
  config: ['telemetry', 'runtime', 'dataplane', 'engine', 'apiserver', 'controlplane', 'kubernetes', 'kubeapi', 'cli'],
  telemetry: ['runtime', 'dataplane', 'engine', 'apiserver', 'controlplane', 'kubernetes', 'kubeapi', 'cli'],
  runtime: ['telemetry', 'dataplane', 'engine', 'apiserver', 'controlplane', 'kubernetes', 'kubeapi', 'cli'],
  dataplane: ['engine', 'apiserver', 'controlplane', 'kubernetes', 'kubeapi', 'cli'],
  engine: ['runtime', 'dataplane', 'apiserver', 'controlplane', 'kubernetes', 'kubeapi', 'cli'],
  apiserver: ['runtime', 'dataplane', 'controlplane', 'kubernetes', 'kubeapi', 'cli'],
  controlplane: ['dataplane', 'kubernetes', 'kubeapi', 'cli'],
  kubernetes: ['dataplane', 'controlplane', 'kubeapi', 'cli'],
  kubeapi: ['runtime', 'dataplane', 'controlplane', 'kubernetes', 'cli'],
};
const CONSOLE_FORBIDDEN = ['telemetry', 'runtime', 'dataplane', 'engine', 'apiserver', 'controlplane', 'kubernetes', 'kubeapi', 'cli'];

const layerRule = (layer, forbidden, files) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((dep) => ({
          group: [`**/${dep}/*`, `**/src/${dep}/*`],
          message: `layer rule (docs/ARCHITECTURE.md, Folders): ${layer} must not import ${dep}; move the shared piece to a layer both may use`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'console/dist/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...Object.entries(LAYERS).map(([layer, forbidden]) => layerRule(layer, forbidden, [`src/${layer}/**/*.ts`])),
  layerRule('console', CONSOLE_FORBIDDEN, ['console/**/*.{ts,tsx}']),
  {
    // The web console runs in the browser.
    files: ['console/**/*.{ts,tsx}'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'localStorage', 'fetch', 'performance', 'requestAnimationFrame', 'cancelAnimationFrame', 'AbortController', 'URLSearchParams', 'navigator', 'history', 'location', 'setInterval', 'clearInterval', 'HTMLElement'].map((g) => [g, 'readonly']),
      ),
    },
  },
);
