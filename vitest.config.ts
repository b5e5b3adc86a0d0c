import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests that touch real sockets, brokers or namespaces take longer than pure cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
