// Bundles livekit-client (the pinned 2.21.0 of package-lock.json) for the
// browser tests: t/node/build/livekit-client.js, an IIFE that defines
// window.LivekitClient.  Nothing is fetched: esbuild reads node_modules.
//   node build-bundle.mjs          (make browser-bundle)
import { build } from 'esbuild';
import { readFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'build', 'livekit-client.js');
const { version } = JSON.parse(readFileSync(
  path.join(here, 'node_modules/livekit-client/package.json'), 'utf8'));

mkdirSync(path.dirname(out), { recursive: true });
await build({
  stdin: {
    contents: "export * from 'livekit-client';",
    resolveDir: here,
    loader: 'js',
  },
  bundle: true,
  format: 'iife',
  globalName: 'LivekitClient',
  platform: 'browser',
  target: ['chrome120'],
  outfile: out,
  sourcemap: false,
  minify: false,
  logLevel: 'warning',
  banner: { js: `/* livekit-client ${version} bundled by t/node/build-bundle.mjs */` },
});
console.log(`built ${path.relative(process.cwd(), out)} (livekit-client ${version})`);
