import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Globals that would let a sans-IO core read wall time or schedule work behind the simulator's back. */
const sansIoRestrictions = {
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Sans-IO core: take time from the injected clock.' },
    { name: 'setInterval', message: 'Sans-IO core: take time from the injected clock.' },
    { name: 'setImmediate', message: 'Sans-IO core: return work to the host instead.' },
    { name: 'performance', message: 'Sans-IO core: take time from the injected clock.' },
  ],
  'no-restricted-properties': [
    'error',
    {
      object: 'Date',
      property: 'now',
      message: 'Sans-IO core: take time from the injected clock.',
    },
    {
      object: 'Math',
      property: 'random',
      message: 'Sans-IO core: take randomness from the injected Random.',
    },
  ],
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['node:dgram', 'node:net', 'node:fs', 'node:child_process', 'node:timers*'],
          message: 'Sans-IO core: I/O belongs in an adapter.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'build/',
      'coverage/',
      'bench/results/',
      'web/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: [
      'src/meshlink/**/*.ts',
      'src/routing/**/*.ts',
      'src/agent/health/**/*.ts',
      'src/agent/policy/**/*.ts',
      'src/agent/upgrade/**/*.ts',
      'src/controller/upgrade/**/*.ts',
    ],
    ignores: ['src/**/*.test.ts'],
    rules: sansIoRestrictions,
  },
);
