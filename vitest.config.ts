import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const shared = {
  testTimeout: 20_000,
  hookTimeout: 20_000,
  // Network tests bind real loopback ports; files run in parallel, tests inside a file in order.
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'node',
          include: [
            'src-shared/**/*.test.ts',
            'src-main/**/*.test.ts',
            'src-cli/**/*.test.ts',
            'test/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        plugins: [react()],
        test: {
          ...shared,
          name: 'dom',
          include: ['src-renderer/**/*.test.ts', 'src-renderer/**/*.test.tsx'],
          environment: 'jsdom',
        },
      },
    ],
  },
});
