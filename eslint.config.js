// ESLint (flat config): correctness rules from @eslint/js and typescript-eslint (type-aware where it
// pays: promises and awaits in product code), React hook rules in the renderer, and the import
// boundaries between the layers (docs/ARCHITECTURE.md). Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'path',
  'os',
  'net',
  'dgram',
  'crypto',
  'http',
  'https',
  'child_process',
  'events',
  'stream',
  'url',
  'util',
  'worker_threads',
  'zlib',
  'dns',
  'tls',
  'buffer',
  'process',
  'timers',
];

/** Import patterns each layer may not use. */
const NO_NODE = NODE_BUILTINS.map((name) => ({ group: [name, `${name}/*`], message: 'This layer runs without Node.' }));
const NO_ELECTRON = [
  { group: ['electron', 'electron/*'], message: 'Only src-main/electron and the preload use Electron.' },
];
const NO_REACT = [{ group: ['react', 'react/*', 'react-dom', 'react-dom/*'], message: 'src-shared is UI-free.' }];
const NO_ENGINE_INTERNALS = [
  {
    group: ['**/engine/server/*', '**/engine/client/*', '**/engine/sealed/*', '**/engine/log*'],
    message: 'Import the chat engine only through its public entry, src-main/engine/index.js.',
  },
];
const NO_APP_CODE = [
  {
    group: ['**/service/*', '**/electron/*', '**/web/*', '**/prefs/*', '**/src-cli/*', '**/src-renderer/*'],
    message: 'The engine is a library: it knows nothing of the app or the CLI.',
  },
];
const NO_MAIN = [
  { group: ['**/src-main/*', '**/src-main/**'], message: 'The renderer talks to the backend only through its bridge.' },
];

const restrict = (...patterns) => ['error', { patterns: patterns.flat() }];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'coverage/',
      'test-results/',
      'playwright-report/',
      'e2e-artifacts/',
      'bench/results/',
      '**/build/',
      'native/',
      'bench/native/',
      // A deliberately insecure CommonJS Electron main: the canary the security scan must flag.
      'test/hostile/fixtures/electron-insecure/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An empty catch hides failures; say why ignoring is safe, or handle it.
      'no-empty': ['error', { allowEmptyCatch: false }],
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true, ignorePattern: '^import ' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          // Logs are one JSON object per event: the first argument names the event, fields carry the rest.
          selector:
            "CallExpression[callee.property.name=/^(debug|info|warn|error)$/][callee.object.name=/^(log|logger)$/][arguments.0.type='TemplateLiteral']," +
            "CallExpression[callee.property.name=/^(debug|info|warn|error)$/][callee.object.property.name=/^(log|logger)$/][arguments.0.type='TemplateLiteral']",
          message: 'Log an event name (kebab-case literal) and put the details in the fields object.',
        },
        {
          selector: 'TSAsExpression > TSAsExpression[typeAnnotation.type="TSUnknownKeyword"]',
          message: 'No `as unknown as`: narrow the value, or comment why a Node internal needs it.',
        },
        {
          // A bare `x: number;` is first defined as undefined (ES2022 class fields), so V8 keeps the
          // field as a pointer: every time or fraction written to it is then a new heap object its
          // owner keeps alive, which each scavenge copies (BENCHMARKS.md, 2026-12-07).
          selector:
            "PropertyDefinition:not([value]):not([readonly=true]):not([declare=true])[typeAnnotation.typeAnnotation.type='TSNumberKeyword']",
          message: 'Give a mutable number field an initial number (`x = 0`), so V8 stores it unboxed.',
        },
      ],
    },
  },
  {
    // Type-aware rules for the product code, where a floating promise is a real bug.
    files: ['src-*/**/*.{ts,tsx}'],
    ignores: ['**/__tests__/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': restrict(NO_NODE, NO_ELECTRON, NO_MAIN),
    },
  },
  { files: ['src-shared/**/*.ts'], rules: { 'no-restricted-imports': restrict(NO_NODE, NO_ELECTRON, NO_REACT) } },
  { files: ['src-main/engine/**/*.ts'], rules: { 'no-restricted-imports': restrict(NO_ELECTRON, NO_APP_CODE) } },
  {
    files: [
      'src-main/service/**/*.ts',
      'src-main/web/**/*.ts',
      'src-main/prefs/**/*.ts',
      'src-main/reach/**/*.ts',
      'src-cli/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: { 'no-restricted-imports': restrict(NO_ELECTRON, NO_ENGINE_INTERNALS) },
  },
  { files: ['src-main/electron/**/*.ts'], rules: { 'no-restricted-imports': restrict(NO_ENGINE_INTERNALS) } },
  {
    // The sandboxed preload: Electron and the shared contract's types, nothing else.
    files: ['src-main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!electron$)(?!.*src-shared/ipc/contract\\.js$).*',
              message: 'The preload imports only electron and the contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['e2e/**/*.ts', 'test/**/*.ts', '**/__tests__/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  prettier,
);
