// Lint configuration (flat config). `npm run lint` runs `eslint .`; `npm test` runs it after the typecheck.
// Only the fast, syntax-level rule sets are used (no type-checked variants): `tsc -b` already type-checks.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import boundary from './eslint-rules/boundary.js';

/** The local plugin: house rules that no published plugin knows. See [Note: boundary] in eslint-rules/boundary.js. */
const trove = { meta: { name: 'trove' }, rules: { boundary } };

/**
 * The parser for `.svelte` files, once the renderer has any and svelte-eslint-parser is installed. Without it,
 * `eslint .` reports a parsing error for each `.svelte` file rather than leaving its imports unchecked.
 */
const svelteParser = await import('svelte-eslint-parser').then(
  (m) => m.default ?? m,
  () => null,
);

const unusedVars = [
  'error',
  { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
];

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    'dist/',
    'out/',
    'release/',
    'coverage/',
    'test-results/',
    '.trove-demo/',
    'bench/.cache/',
    'test/fixtures/library/',
    'test/fixtures/packs/',
    '**/*.d.ts',
  ]),
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    rules: { 'no-unused-vars': unusedVars },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: { '@typescript-eslint/no-unused-vars': unusedVars },
  },
  {
    files: ['bin/**', 'scripts/**', 'eslint-rules/**', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  ...(svelteParser
    ? [
        {
          files: ['**/*.svelte'],
          languageOptions: {
            parser: svelteParser,
            parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
          },
        },
      ]
    : []),
  {
    // DESIGN.md rule 1: a wrong import across a process boundary fails the lint, and so `npm test`.
    // `.svelte` files are listed so that none escapes the check (see `svelteParser` above).
    files: ['src/**/*.ts', 'src/**/*.svelte'],
    plugins: { trove },
    rules: { 'trove/boundary': 'error' },
  },
);
