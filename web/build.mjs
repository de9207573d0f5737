// Builds the ngx_meet web app: src/main.ts (plain TypeScript on the pinned
// livekit-client of package-lock.json) and src/app.css bundled by esbuild
// into <out>/assets/ with content hashes in the names, and <out>/index.html
// written from src/index.html with those names.  Nothing is fetched: esbuild
// reads node_modules (npm ci), and the page loads only its own files.
//
//   node build.mjs [out]      default out: ../build/web   (make web)
//
// nginx serves <out> with `meet_routes { / spa <out>; }`: index.html for
// client routes (/, /<room>), the hashed assets as they are.
import { build } from 'esbuild';
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, '..', 'build', 'web'));
const { version: lkVersion } = JSON.parse(readFileSync(
  path.join(here, 'node_modules/livekit-client/package.json'), 'utf8'));
const { version: appVersion } = JSON.parse(readFileSync(
  path.join(here, 'package.json'), 'utf8'));

// The licenses of what the bundle contains: livekit-client's dist file
// embeds its dependencies, and minifying drops their notices, so
// licenses.txt lists every package of the dependency tree with its license
// text (Apache-2.0 and MIT ask for it).
function licenses(roots) {
  const seen = new Map();
  const visit = (name) => {
    if (seen.has(name)) return;
    const dir = path.join(here, 'node_modules', name);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|-|$)/i.test(f));
    seen.set(name, { version: pkg.version, license: pkg.license || 'see text',
      text: file ? readFileSync(path.join(dir, file), 'utf8').trim() : '(no license file in the package)' });
    Object.keys(pkg.dependencies || {}).forEach(visit);
  };
  roots.forEach(visit);
  const head = 'Third-party software in this web app (assets/app-*.js), with its licenses.\n';
  return head + [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([name, p]) =>
    `\n${'='.repeat(72)}\n${name} ${p.version} (${p.license})\n${'='.repeat(72)}\n\n${p.text}\n`).join('');
}

// build into a fresh sibling folder, then swap it in: a running nginx never
// serves an index.html that names assets not written yet
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(path.join(tmp, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: path.join(here, 'src/main.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  outdir: path.join(tmp, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  minify: true,
  sourcemap: false,
  // license comments go to a file of their own, not into the served
  // script (livekit-client's dist has none left; see licenses())
  legalComments: 'external',
  metafile: true,
  define: {
    __APP_VERSION__: JSON.stringify(appVersion),
    __LK_VERSION__: JSON.stringify(lkVersion),
  },
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const js = outputs.find((f) => /^app-[A-Z0-9]+\.js$/.test(f));
const css = outputs.find((f) => /^app-[A-Z0-9]+\.css$/.test(f));
if (!js || !css) throw new Error(`build: missing outputs in ${outputs.join(', ')}`);

const html = readFileSync(path.join(here, 'src/index.html'), 'utf8')
  .replaceAll('%APP_JS%', `/assets/${js}`)
  .replaceAll('%APP_CSS%', `/assets/${css}`);
writeFileSync(path.join(tmp, 'index.html'), html);

writeFileSync(path.join(tmp, 'licenses.txt'), licenses(['livekit-client']));

const old = `${out}.old-${process.pid}`;
mkdirSync(path.dirname(out), { recursive: true });
try { renameSync(out, old); } catch (e) { if (e.code !== 'ENOENT') throw e; }
renameSync(tmp, out);
rmSync(old, { recursive: true, force: true });
console.log(`built ${out} (app ${appVersion}, livekit-client ${lkVersion}): ${js}, ${css}`);
