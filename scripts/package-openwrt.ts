/**
 * `npm run package:openwrt`: builds the agent package for OpenWrt into `dist/openwrt/`: the
 * bundled agent (`agent.mjs`), `intelli-mesh_<version>-<release>_all.ipk` and `sha256sums`.
 * The version is package.json's; the release is PKG_RELEASE (default 1). Archive times come from
 * SOURCE_DATE_EPOCH, else the last commit, so the same sources give the same package.
 *
 * @example
 * npm run package:openwrt
 * PKG_RELEASE=2 OUT=/tmp/pkg npm run package:openwrt
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { agentPackage } from '../src/packaging/openwrt/agent-package.ts';
import { bundleAgent } from '../src/packaging/openwrt/bundle-agent.ts';
import { buildIpk, ipkFileName } from '../src/packaging/openwrt/ipk.ts';

const root = new URL('..', import.meta.url).pathname;
const out = resolve(process.env.OUT ?? join(root, 'dist/openwrt'));
const release = process.env.PKG_RELEASE ?? '1';
if (!/^[1-9][0-9]*$/.test(release)) {
  console.error(`PKG_RELEASE=${release}: expected a positive whole number`);
  process.exit(1);
}
const upstream = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
).version;
const version = `${upstream}-${release}`;

function sourceDateEpoch(): number {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root }).toString());
  } catch {
    return 0;
  }
}

mkdirSync(out, { recursive: true });
const bundlePath = join(out, 'agent.mjs');
const { bytes } = await bundleAgent({ outfile: bundlePath, version });
const options = agentPackage({
  bundle: readFileSync(bundlePath),
  version,
  mtime: sourceDateEpoch(),
});
const ipk = buildIpk(options);
const ipkName = ipkFileName(options.control);
writeFileSync(join(out, ipkName), ipk);
const sum = (b: Buffer) => createHash('sha256').update(b).digest('hex');
writeFileSync(
  join(out, 'sha256sums'),
  `${sum(readFileSync(bundlePath))}  agent.mjs\n${sum(ipk)}  ${ipkName}\n`,
);
console.log(`${join(out, 'agent.mjs')}: ${(bytes / 1024).toFixed(0)} KiB`);
console.log(`${join(out, ipkName)}: ${(ipk.length / 1024).toFixed(0)} KiB`);
