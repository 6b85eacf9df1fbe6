// The embeddable chat widget: one self-contained IIFE, dist/widget.js (built after the app, into the
// same dist/ without emptying it). Also copies the demo company website to dist/demo-site/.
import { defineConfig, type Plugin } from 'vite';

interface Fs {
  readFile(path: URL, encoding: 'utf8'): Promise<string>;
}

function demoSite(): Plugin {
  return {
    name: 'hovor-demo-site',
    async generateBundle() {
      const spec: string = 'node:fs/promises';
      const fs = (await import(/* @vite-ignore */ spec)) as Fs;
      const source = await fs.readFile(new URL('./demo-site/index.html', import.meta.url), 'utf8');
      this.emitFile({ type: 'asset', fileName: 'demo-site/index.html', source });
    },
  };
}

export default defineConfig({
  publicDir: false,
  esbuild: { legalComments: 'none' },
  plugins: [demoSite()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    copyPublicDir: false,
    target: 'es2022',
    minify: 'esbuild',
    reportCompressedSize: true,
    lib: {
      entry: 'src/widget/main.ts',
      formats: ['iife'],
      name: 'HovorWidget',
      fileName: () => 'widget.js',
    },
  },
});
