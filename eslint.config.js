import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
