import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// The agent console: a single-page React app served by Parley at /console. Vite's own oxc
// transform compiles the JSX (no plugin needed for a production build). The HTML has no inline
// script, so the server's strict Content-Security-Policy holds.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsDir: 'assets',
  },
})
