// ESLint (flat config): typescript-eslint's recommended rules, file-level import cycles (import-x/no-cycle)
// and the room boundaries (eslint-plugin-boundaries). Formatting is Prettier's job (`prettier --check` in `npm run lint`).
//
// typescript-eslint needs TypeScript's JavaScript API, which TypeScript 7 no longer ships: package.json
// installs `typescript` as Microsoft's TS 6 compatibility package (@typescript/typescript6) for the tools,
// and TS 7 as `@typescript/native`, which is what `tsc` runs. Linting is untyped (no projectService):
// the recommended rules need no type information, and a typed run would check against TS 6, not 7.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Rooms: each top-level folder of src/, and each file directly in src/. A room may import only the rooms
// listed for it (type imports included); this is today's graph, which has no cycle. Adding an edge here
// is a design decision: never add one that closes a cycle (`node ../shared/tools/room-cycles.mjs src`).
// Every room may import src/generated (Prisma's client) and every outside folder (workers/, test/,
// bench/, scripts/) may import every room. A new room must be listed (boundaries/no-unknown-files).
// prettier-ignore
const ROOMS = {
  app: ['config', 'db', 'log', 'redis'],
  attempts: ['calling-hours', 'db', 'jobs'],
  callbacks: ['app', 'attempts', 'conversations', 'db', 'errors', 'metrics', 'telnyx'],
  'calling-hours': ['errors'],
  campaigns: ['app', 'attempts', 'db', 'errors', 'jobs', 'results'],
  cli: ['app', 'campaigns', 'config', 'contacts', 'db', 'demo', 'dialing', 'do-not-call', 'errors', 'http', 'results', 'scheduling', 'shutdown', 'simulator', 'telnyx'],
  config: [],
  console: ['app', 'campaigns', 'contacts', 'do-not-call', 'errors', 'redis', 'results', 'scheduling', 'uploads'],
  contacts: ['app', 'calling-hours', 'campaigns', 'config', 'db', 'errors', 'log'],
  conversations: ['campaigns', 'db', 'do-not-call', 'telnyx'],
  db: [],
  demo: ['app', 'attempts', 'calling-hours', 'campaigns', 'config', 'contacts', 'db', 'dialing', 'do-not-call', 'errors', 'http', 'redis', 'simulator'],
  dialing: ['app', 'attempts', 'campaigns', 'conversations', 'db', 'errors', 'jobs', 'log', 'redis', 'results', 'scheduling', 'shutdown', 'telnyx'],
  'do-not-call': ['app', 'attempts', 'campaigns', 'contacts', 'db', 'errors'],
  errors: [],
  http: ['app', 'callbacks', 'campaigns', 'console', 'contacts', 'errors', 'metrics', 'results', 'uploads'],
  jobs: ['app', 'redis'],
  log: [],
  metrics: ['app'],
  redis: [],
  results: ['attempts', 'calling-hours', 'db', 'errors'],
  scheduling: ['app', 'attempts', 'calling-hours', 'campaigns', 'db', 'errors', 'jobs', 'results'],
  shutdown: [],
  simulator: ['errors', 'telnyx'],
  telnyx: ['campaigns', 'errors'],
  uploads: ['errors'],
};
const FILE_ROOMS = ['app', 'config', 'errors', 'log', 'redis', 'shutdown']; // src/<room>.ts; the others are folders
const OUTSIDE = ['workers', 'test', 'bench', 'scripts'];
const roomType = (room) => `room:${room}`;

export default defineConfig(
  globalIgnores(['src/generated/', 'node_modules/', 'bench/out/']),
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The console's script runs in the browser (Chart is Chart.js's UMD global).
    files: ['src/console/assets/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['window', 'document', 'HTMLFormElement', 'XMLHttpRequest', 'FormData', 'Chart'].map((name) => [name, 'readonly'])),
    },
  },
  {
    rules: {
      // Tests match CLI output verbatim: /Arguments:\n  campaign/ reads like the help text it checks, ` {2}` would not.
      'no-regex-spaces': 'off',
    },
  },

  // File-level import cycles (runtime imports; type-only imports are ignored by the rule, the room check covers them).
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'] })],
      'import-x/extensions': ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'],
      'import-x/ignore': ['node_modules', 'src/generated/'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },

  // Room boundaries.
  {
    files: ['src/**', ...OUTSIDE.map((dir) => `${dir}/**`)],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        { type: 'generated', pattern: 'src/generated', partialMatch: false },
        ...Object.keys(ROOMS)
          .filter((room) => !FILE_ROOMS.includes(room))
          .map((room) => ({ type: roomType(room), pattern: `src/${room}`, partialMatch: false })),
        ...FILE_ROOMS.map((room) => ({ type: roomType(room), pattern: `src/${room}.ts`, mode: 'file' })),
        ...OUTSIDE.map((dir) => ({ type: 'outside', pattern: dir, partialMatch: false })),
      ],
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      // The file rooms need the element descriptor's `mode: 'file'`, deprecated in v7 (its replacement,
      // `partialMatch: false`, only matches folders): keep its deprecation notice out of every run's output.
      'boundaries/legacy-warnings': false,
      'import/resolver': { node: { extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            { from: { element: { type: 'room:*' } }, allow: { to: { element: { type: 'generated' } } } },
            ...Object.entries(ROOMS).map(([room, allowed]) => ({
              from: { element: { type: roomType(room) } },
              allow: { to: { element: { types: { anyOf: [roomType(room), ...allowed.map(roomType)] } } } },
            })),
            { from: { element: { type: 'outside' } }, allow: { to: { element: { types: { anyOf: ['room:*', 'generated', 'outside'] } } } } },
          ],
        },
      ],
      'boundaries/no-unknown-files': 'error',
    },
  },

  // Last: turn off the stylistic rules that Prettier owns.
  prettier,
);
