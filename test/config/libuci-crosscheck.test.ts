/**
 * Checks against OpenWrt's own parser (libuci + the `uci` CLI), which is not part of this
 * repository. Build it once (commands in docs/config.md) and point UCI_BIN at it:
 *   UCI_BIN=/tmp/ucibuild/uci-run npx vitest run test/config/libuci-crosscheck.test.ts
 * Without UCI_BIN the suite is skipped; every other test uses our TypeScript parser.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  configNames,
  parseSite,
  parseUci,
  renderSite,
  serializeUci,
} from '../../src/config/index.ts';
import { exampleText } from './example-site.ts';

const uci = process.env.UCI_BIN;
const dir = mkdtempSync(join(tmpdir(), 'libuci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `uci export` of a file, or undefined when libuci refuses it. */
function libuciExport(text: string): string | undefined {
  writeFileSync(join(dir, 'p'), text);
  try {
    return execFileSync(uci ?? 'uci', ['-c', dir, 'export', 'p'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
  } catch {
    return undefined;
  }
}

describe.skipIf(!uci)('libuci cross-check', () => {
  it('reads every rendered file of the example to the same sections and values', () => {
    const r = parseSite(exampleText, { env: {} });
    if (!r.ok) throw new Error('example site is invalid');
    for (const node of renderSite(r.site)) {
      for (const name of configNames) {
        const exported = libuciExport(serializeUci(node.configs[name]));
        expect(exported, `${node.nodeId}/${name}`).toBeDefined();
        const back = parseUci((exported ?? '').replace(/^package p\n/, ''));
        expect(back, `${node.nodeId}/${name}`).toEqual(node.configs[name]);
      }
    }
  });

  it('agrees with parseUci on random files: same result, or both refuse', () => {
    const pieces = ['config', 'option', 'list', 'c', 'o', 'l', ' ', '\t', '\n', '\n', "'", '"'];
    const more = ['\\', '#', ';', 'a', 'b', 'x_1', 'ty-pe', '1', 'é', "'q r'", '"s\\"t"'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces, ...more), { maxLength: 40 }), (parts) => {
        const text = 'config t\n' + parts.join('') + '\n';
        let mine: string | undefined;
        try {
          mine = serializeUci(parseUci(text));
        } catch {
          mine = undefined;
        }
        const exported = libuciExport(text);
        // libuci exports types unquoted, so a type with quotes does not read back; skip those.
        if (exported !== undefined && /^config .*["'\\#;]/m.test(exported)) return;
        const theirs =
          exported === undefined
            ? undefined
            : serializeUci(parseUci(exported.replace(/^package p\n/, '')));
        expect(mine).toBe(theirs);
      }),
      { numRuns: 1500 },
    );
    // 1,500 runs of the uci binary: slow on a shared 2-core machine.
  }, 180_000);
});
