/**
 * Firmware upgrades on OpenWrt with a fake `sysupgrade` (a command runner that records argv and
 * answers as sysupgrade does) and a real local HTTP server serving the images: the shared
 * SystemUpgrade suite, the download's limits, and the whole agent side (UpgradeService) on top:
 * a checksum mismatch or a refused `sysupgrade -T` installs nothing, and a good image is
 * installed with `sysupgrade <image>`, never `-n`, after the journal is on disk.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpgradeService } from '../../src/agent/upgrade/upgrade-service.ts';
import type { MeshEvent } from '../../src/core/events.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import type { CommandResult, UpgradeCommand } from '../../src/mqtt/messages.ts';
import type { CommandRunner } from '../../src/platform/linux/command-runner.ts';
import {
  parseOpenWrtRelease,
  firmwareVersion,
} from '../../src/platform/openwrt/openwrt-release.ts';
import {
  OpenWrtSystemUpgrade,
  UPGRADE_JOURNAL,
} from '../../src/platform/openwrt/openwrt-system-upgrade.ts';
import { agentServiceFiles } from '../../src/config/render/agent-service.ts';
import { until } from '../transport/event-loop.ts';
import { systemUpgradeCompliance, type SystemUpgradeHarness } from './system-upgrade-compliance.ts';

// Written by us in the format of OpenWrt's base-files template
// (package/base-files/files/etc/openwrt_release: DISTRIB_DESCRIPTION='%D %N %V', single quotes).
const RELEASE = (description: string) => `DISTRIB_ID='OpenWrt'
DISTRIB_RELEASE='23.05.3'
DISTRIB_REVISION='r23809-234f1a2efa'
DISTRIB_TARGET='mediatek/filogic'
DISTRIB_ARCH='aarch64_cortex-a53'
DISTRIB_DESCRIPTION='${description}'
DISTRIB_TAINTS=''
`;

const GOOD = Buffer.alloc(300_000, 'OpenWrt sysupgrade image. ');
const REFUSED = Buffer.from('BAD image: not for this board\n'.repeat(1000));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Images over HTTP: with a length, chunked without one, a server that stalls, and 404s. */
async function imageServer(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/good.img') return res.end(GOOD);
    if (req.url === '/refused.img') return res.end(REFUSED);
    if (req.url === '/chunked.img') {
      // No content-length: the limit must be enforced while the bytes arrive.
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 20; i++) res.write(GOOD.subarray(0, 64 * 1024));
      return res.end();
    }
    if (req.url === '/stall.img') {
      res.writeHead(200, { 'content-length': String(GOOD.length) });
      res.write(GOOD.subarray(0, 1000));
      return; // never ends
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A fake `sysupgrade`: `-T` refuses images that start with "BAD", installs are recorded. */
function fakeSysupgrade(journal: string) {
  const calls: string[][] = [];
  const installed: string[] = [];
  const journalAtInstall: boolean[] = [];
  const run: CommandRunner = async (argv, opts = {}) => {
    calls.push(argv);
    if (argv[0] !== 'sysupgrade') throw new Error(`unexpected command ${argv.join(' ')}`);
    const image = argv.at(-1)!;
    const bytes = readFileSync(image);
    if (argv[1] === '-T') {
      if (bytes.subarray(0, 3).toString() === 'BAD') {
        const r = { stdout: "Image check 'platform_check_image' failed.\n", stderr: '', code: 1 };
        if (!opts.allowFailure) throw new Error('exit 1');
        return r;
      }
      return { stdout: '', stderr: '', code: 0 };
    }
    journalAtInstall.push(existsSync(journal));
    installed.push(sha(bytes));
    return { stdout: 'Commencing upgrade. Closing all shell sessions.\n', stderr: '', code: 0 };
  };
  return { run, calls, installed, journalAtInstall };
}

let http: { server: Server; base: string };
const dirs: string[] = [];

function node(description = 'OpenWrt 23.05.3 r23809-234f1a2efa') {
  const dir = mkdtempSync(join(tmpdir(), 'im-owrt-upgrade-'));
  dirs.push(dir);
  const releaseFile = join(dir, 'openwrt_release');
  writeFileSync(releaseFile, RELEASE(description));
  const journalFile = join(dir, 'etc/intelli-mesh/upgrade-pending.json');
  const fake = fakeSysupgrade(journalFile);
  const system = new OpenWrtSystemUpgrade({
    run: fake.run,
    releaseFile,
    tmpDir: dir,
    journalFile,
  });
  return { dir, releaseFile, journalFile, system, ...fake };
}

beforeAll(async () => {
  http = await imageServer();
});

afterAll(async () => {
  http.server.closeAllConnections();
  await new Promise((r) => http.server.close(r));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

systemUpgradeCompliance('openwrt', async (): Promise<SystemUpgradeHarness> => {
  const n = node();
  return {
    system: n.system,
    runningVersion: 'OpenWrt 23.05.3 r23809-234f1a2efa',
    good: { url: `${http.base}/good.img`, bytes: GOOD.length, sha256: sha(GOOD) },
    refused: { url: `${http.base}/refused.img`, bytes: REFUSED.length, sha256: sha(REFUSED) },
    missingUrl: `${http.base}/nothing-here.img`,
    settle: (p) => p,
    installed: () => n.installed,
    close: async () => {},
  };
});

describe('OpenWrt firmware version', () => {
  it('is DISTRIB_DESCRIPTION, else id, release and revision', () => {
    expect(firmwareVersion(parseOpenWrtRelease(RELEASE('OpenWrt 24.10.0 r28427-6df0e3d02a')))).toBe(
      'OpenWrt 24.10.0 r28427-6df0e3d02a',
    );
    const noDescription = RELEASE('').replace(/^DISTRIB_DESCRIPTION.*$/m, '# none');
    expect(firmwareVersion(parseOpenWrtRelease(noDescription))).toBe(
      'OpenWrt 23.05.3 r23809-234f1a2efa',
    );
    expect(parseOpenWrtRelease(`DISTRIB_DESCRIPTION="It'\\''s mine"\nX=plain\n`)).toEqual({
      DISTRIB_DESCRIPTION: "It'\\''s mine",
      X: 'plain',
    });
    expect(parseOpenWrtRelease(`DISTRIB_DESCRIPTION='It'\\''s mine'\n`).DISTRIB_DESCRIPTION).toBe(
      "It's mine",
    );
    expect(() => firmwareVersion({}, '/etc/openwrt_release')).toThrow(
      /openwrt_release: no DISTRIB_DESCRIPTION/,
    );
  });

  it('refuses a missing release file with FirmwareVersionError', async () => {
    const n = node();
    rmSync(n.releaseFile);
    await expect(n.system.runningVersion()).rejects.toMatchObject({
      name: 'FirmwareVersionError',
    });
  });
});

describe('the package keeps the journal across sysupgrade', () => {
  it('lists the journal, or a directory holding it, in /lib/upgrade/keep.d/', () => {
    const keep = agentServiceFiles().find((f) => f.path.startsWith('lib/upgrade/keep.d/'));
    const kept = (keep?.content ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(
      kept.some((p) => p === UPGRADE_JOURNAL || (p.endsWith('/') && UPGRADE_JOURNAL.startsWith(p))),
    ).toBe(true);
  });
});

describe('OpenWrt image download', () => {
  const download = (
    n: ReturnType<typeof node>,
    path: string,
    maxBytes: number,
    timeoutMs = 10_000,
  ) => n.system.download({ url: `${http.base}${path}`, maxBytes, timeoutMs });
  const leftovers = (n: ReturnType<typeof node>) =>
    readdirSync(n.dir).filter((f) => f.endsWith('.img'));

  it('stops a download without a length once it passes the limit, and leaves no file', async () => {
    const n = node();
    await expect(download(n, '/chunked.img', 300_000)).rejects.toMatchObject({
      name: 'ImageTooLargeError',
      message: expect.stringContaining('more than the limit of 300000 bytes'),
    });
    expect(leftovers(n)).toEqual([]);
    expect((await download(n, '/chunked.img', 20 * 64 * 1024)).bytes).toBe(20 * 64 * 1024);
  });

  it('refuses a declared length over the limit before writing anything', async () => {
    const n = node();
    await expect(download(n, '/good.img', 1000)).rejects.toMatchObject({
      name: 'ImageTooLargeError',
      message: expect.stringContaining(`${GOOD.length} bytes, more than the limit of 1000`),
    });
    expect(leftovers(n)).toEqual([]);
  });

  it('gives up on a stalled server at the timeout', async () => {
    const n = node();
    await expect(download(n, '/stall.img', GOOD.length, 300)).rejects.toMatchObject({
      name: 'DownloadFailedError',
      message: expect.stringContaining('timed out after 0.3 s'),
    });
    expect(leftovers(n)).toEqual([]);
  });

  it('refuses other schemes and names the HTTP status', async () => {
    const n = node();
    await expect(
      n.system.download({ url: 'file:///etc/passwd', maxBytes: 1000, timeoutMs: 1000 }),
    ).rejects.toMatchObject({
      name: 'DownloadFailedError',
      message: expect.stringContaining('only http'),
    });
    await expect(download(n, '/nope.img', 1000)).rejects.toThrow(/HTTP 404 Not Found/);
  });
});

describe('the agent upgrading an OpenWrt node', () => {
  function agent(n: ReturnType<typeof node>) {
    const results: CommandResult[] = [];
    const events: MeshEvent[] = [];
    const service = new UpgradeService({
      node: 'gw-1',
      scheduler: new VirtualScheduler(1_000),
      system: n.system,
      link: {
        publishResult: async (r) => void results.push(r),
        publishEvent: async (e) => void events.push(e),
      },
    });
    const statuses = () => results.map((r) => (r.code ? `${r.status} [${r.code}]` : r.status));
    return { service, results, events, statuses };
  }
  const command = (path: string, sha256: string): UpgradeCommand => ({
    id: 'upgrade:c1',
    kind: 'upgrade',
    image_url: `${http.base}${path}`,
    sha256,
    version: 'OpenWrt 24.10.0 r28427-6df0e3d02a',
  });

  it('refuses a checksum mismatch and installs nothing', async () => {
    const n = node();
    const a = agent(n);
    await a.service.start();
    a.service.handle(command('/good.img', sha(REFUSED)));
    await until(() => a.results.some((r) => r.status === 'failed'));
    expect(a.statuses()).toEqual(['accepted', 'downloading', 'failed [checksum]']);
    expect(a.results.at(-1)!.reason).toContain(
      `have SHA-256 ${sha(GOOD)}, expected ${sha(REFUSED)}`,
    );
    expect(n.calls).toEqual([]);
    expect(existsSync(n.journalFile)).toBe(false);
    await until(() => readdirSync(n.dir).every((f) => !f.endsWith('.img')));
  });

  it('refuses an image that sysupgrade -T rejects and installs nothing', async () => {
    const n = node();
    const a = agent(n);
    await a.service.start();
    a.service.handle(command('/refused.img', sha(REFUSED)));
    await until(() => a.results.some((r) => r.status === 'failed'));
    expect(a.statuses()).toEqual(['accepted', 'downloading', 'verified', 'failed [image-test]']);
    expect(a.results.at(-1)!.reason).toContain("Image check 'platform_check_image' failed.");
    expect(n.calls).toEqual([['sysupgrade', '-T', join(n.dir, 'intelli-mesh-upgrade.img')]]);
    expect(n.installed).toEqual([]);
    expect(existsSync(n.journalFile)).toBe(false);
  });

  it('installs a good image with sysupgrade <image>, never -n, after saving the journal', async () => {
    const n = node();
    const a = agent(n);
    await a.service.start();
    expect(a.service.firmwareVersion).toBe('OpenWrt 23.05.3 r23809-234f1a2efa');
    a.service.handle(command('/good.img', sha(GOOD)));
    await until(() => a.results.some((r) => r.status === 'rebooting'));
    expect(a.statuses()).toEqual([
      'accepted',
      'downloading',
      'verified',
      'installing',
      'rebooting',
    ]);
    const image = join(n.dir, 'intelli-mesh-upgrade.img');
    expect(n.calls).toEqual([
      ['sysupgrade', '-T', image],
      ['sysupgrade', image],
    ]);
    expect(n.calls.flat()).not.toContain('-n');
    expect(n.installed).toEqual([sha(GOOD)]);
    expect(n.journalAtInstall).toEqual([true]);

    // The reboot: the new firmware keeps the journal; the next agent answers the upgrade done.
    a.service.stop();
    writeFileSync(n.releaseFile, RELEASE('OpenWrt 24.10.0 r28427-6df0e3d02a'));
    const after = agent(n);
    await after.service.start();
    expect(after.results).toEqual([
      expect.objectContaining({ id: 'upgrade:c1', status: 'done', node: 'gw-1' }),
    ]);
    expect(after.events.map((e) => `${e.kind} ${e.from} -> ${e.to}`)).toEqual([
      'upgrade OpenWrt 23.05.3 r23809-234f1a2efa -> OpenWrt 24.10.0 r28427-6df0e3d02a',
    ]);
    await until(() => !existsSync(n.journalFile));
  });

  it('answers a reboot into the old firmware as failed: version-mismatch', async () => {
    const n = node();
    const a = agent(n);
    await a.service.start();
    a.service.handle(command('/good.img', sha(GOOD)));
    await until(() => a.results.some((r) => r.status === 'rebooting'));
    a.service.stop();
    const after = agent(n); // same release file: the new image never took
    await after.service.start();
    expect(after.statuses()).toEqual(['failed [version-mismatch]']);
  });
});
