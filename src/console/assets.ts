import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: Buffer;
  type: string;
}

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The console's static files, read once at start: htmx and Chart.js from node_modules (no CDN, no build
 * step) and the console's own stylesheet and script. Only these names are served.
 */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const files: Record<string, { file: string; type: string }> = {
    'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
    // chart.js exports only its module entry; the UMD build lies beside it.
    'chart.umd.min.js': { file: path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
    'console.js': { file: path.join(here, 'assets', 'console.js'), type: 'text/javascript; charset=utf-8' },
    'console.css': { file: path.join(here, 'assets', 'console.css'), type: 'text/css; charset=utf-8' },
  };
  const assets = new Map<string, Asset>();
  for (const [name, { file, type }] of Object.entries(files)) assets.set(name, { body: await readFile(file), type });
  return assets;
}
