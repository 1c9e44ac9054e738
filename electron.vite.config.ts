// One build for the three processes: main (ESM) → out/main/index.js, the sandboxed preload (one
// self-contained CJS file) → out/preload/index.cjs, the renderer → out/renderer/index.html.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      lib: { entry: resolve(root, 'src-main/electron/index.ts'), formats: ['es'], fileName: () => 'index.js' },
      sourcemap: true,
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload cannot load other files: bundle everything it imports.
      externalizeDeps: false,
      lib: { entry: resolve(root, 'src-main/preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    base: './',
    plugins: [react()],
    resolve: { alias: { '@shared': resolve(root, 'src-shared') } },
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rolldownOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
