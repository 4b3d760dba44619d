import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** What src/domain may not import: the transport, Redis, queue and composition layers. */
const OUTSIDE_THE_DOMAIN = [
  'graphql',
  'type-graphql',
  'express',
  'ioredis',
  'bullmq',
  '@apollo/*',
  '**/schema/**',
  '**/http/**',
  '**/jobs/**',
  '**/connectors/**',
  '**/platform/**',
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', 'console/src/gql/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'error',
    },
  },
  {
    // The console runs in the browser (its Vite and codegen configs in Node).
    files: ['console/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Domain code stays free of GraphQL, HTTP, Redis and queues.
    files: ['src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: OUTSIDE_THE_DOMAIN }] },
  },
  {
    // Orders depend on inventory, never the other way round (docs/ARCHITECTURE.md). A later
    // block replaces the rule's options, so the domain's own list is repeated here.
    files: ['src/domain/inventory/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...OUTSIDE_THE_DOMAIN, '**/orders/**'] }] },
  },
  {
    // Configuration is the bottom layer: it imports nothing of ours but itself.
    files: ['src/config/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../**'] }] },
  },
);
