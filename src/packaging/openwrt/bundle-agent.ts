/**
 * The agent as one JavaScript file for a router: esbuild bundles `src/cli/agent-main.ts` with
 * every dependency it imports (commander, mqtt, zod, yaml, pino), so the router needs only
 * OpenWrt's `node` package: no node_modules, no tsx, no compiler. The file is an ES module that
 * names its package version, minified without source maps (flash is small).
 *
 * @example
 * const { bytes } = await bundleAgent({ outfile: 'dist/openwrt/agent.mjs', version: '0.1.0-1' });
 */
import { build, type Plugin } from 'esbuild';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BundleAgentOptions {
  outfile: string;
  /** Reported by `intelli-mesh --version` and in the node's state. */
  version: string;
  /** @default true */
  minify?: boolean;
}

/** The oldest Node.js OpenWrt ships in its packages feed for 23.05 (`lang/node`). */
export const ROUTER_NODE_TARGET = 'node18';

const entry = fileURLToPath(new URL('../../cli/agent-main.ts', import.meta.url));

/**
 * zod re-exports its error messages in 40 languages as `z.locales` (a quarter of the bundle);
 * the agent's messages are English, which zod configures by default from its own module.
 */
const englishZodLocalesOnly: Plugin = {
  name: 'english-zod-locales-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${sep}zod${sep}`)
        ? { path: resolve(dirname(args.importer), args.path), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
      resolveDir: dirname(args.path),
    }));
  },
};

export async function bundleAgent(o: BundleAgentOptions): Promise<{ bytes: number }> {
  const result = await build({
    entryPoints: [entry],
    outfile: o.outfile,
    bundle: true,
    platform: 'node',
    target: ROUTER_NODE_TARGET,
    format: 'esm',
    minify: o.minify ?? true,
    legalComments: 'none',
    metafile: true,
    plugins: [englishZodLocalesOnly],
    logLevel: 'warning',
    define: { __INTELLI_MESH_VERSION__: JSON.stringify(o.version) },
    // Some dependencies are CommonJS and call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __imCreateRequire } from 'node:module'; const require = __imCreateRequire(import.meta.url);",
    },
  });
  const out = Object.values(result.metafile.outputs)[0];
  return { bytes: out?.bytes ?? 0 };
}
