import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built with `npm run build` (vite build web) into web/dist, which the server serves at /.
// `npm run dev:web` serves it with hot reload and sends API calls to a server on :8080.
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
