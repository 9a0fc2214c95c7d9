// The web app (index.html, src/app). `npm run dev` / `npm run build`; `npm run dev:localnet` also
// starts levtoken localnet and points the app at it (VITE_RPC_URL).
import { defineConfig } from 'vite';

export default defineConfig(({ mode }) => ({
  // The Codama-generated clients test process.env.NODE_ENV (error messages in development only);
  // Vite replaces it in builds, and this does the same for the dev server.
  define: { 'process.env.NODE_ENV': JSON.stringify(mode === 'production' ? 'production' : 'development') },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
}));
