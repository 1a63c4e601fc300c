// Builds the renderer (src/renderer, Svelte 5) into dist/renderer: `npm run build:renderer`. Relative asset paths,
// so the same build loads from browser mode's server and from the desktop app's own scheme. [Note: ui]
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // One CSS file, no inline scripts or styles: the page's CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
