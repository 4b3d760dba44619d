import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents for the console from the committed schema; run from the repository root. */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['console/src/**/*.{ts,tsx}', '!console/src/gql/**'],
  ignoreNoDocuments: true,
  generates: {
    'console/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: {
          DateTimeISO: 'string',
          SafeInt: 'number',
          JSONObject: 'Record<string, unknown>',
        },
      },
    },
  },
};

export default config;
