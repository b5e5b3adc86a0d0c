import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentServiceFiles, AGENT_BUNDLE_PATH, ROUTER_NODE_FLAGS } from './agent-service.ts';

const files = agentServiceFiles();
const file = (path: string) => files.find((f) => f.path === path)!;
const scripts = files.filter((f) => f.content.startsWith('#!/bin/sh'));

/** Shells that check syntax here: Debian's dash, and busybox ash (OpenWrt's /bin/sh) if present. */
const shells = [
  ['/bin/sh'],
  ...(existsSync('/usr/bin/busybox') ? [['/usr/bin/busybox', 'ash']] : []),
];

describe('the agent service files', () => {
  it.each(scripts.map((s) => [s.path]))('%s parses as a shell script', (path) => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-'));
    const f = join(dir, 'script');
    // rc.common scripts are sourced by /etc/rc.common; the shebang's argument is not for sh -n.
    writeFileSync(f, file(path).content);
    for (const shell of shells) execFileSync(shell[0]!, [...shell.slice(1), '-n', f]);
    expect(file(path).mode).toBe(0o755);
  });

  it('runs the bundle under procd with respawn, config files to watch, and a cleanup after stop', () => {
    const init = file('etc/init.d/intelli-mesh').content;
    expect(init).toContain('USE_PROCD=1');
    expect(init).toContain(
      `procd_set_param command /usr/bin/node ${ROUTER_NODE_FLAGS.join(' ')} "$BUNDLE" agent --config "$CONFIG"`,
    );
    expect(init).toMatch(/procd_set_param respawn /);
    expect(init).toMatch(/procd_set_param file "\$CONFIG"/);
    expect(init).toMatch(/service_stopped\(\) \{[\s\S]*--cleanup/);
    expect(init).toContain(`BUNDLE=/${AGENT_BUNDLE_PATH}`);
  });

  it('keeps the node identity across sysupgrade and hands mwan3 over at first boot', () => {
    expect(file('lib/upgrade/keep.d/intelli-mesh').content).toMatch(/^\/etc\/intelli-mesh\/$/m);
    const first = file('etc/uci-defaults/90-intelli-mesh').content;
    expect(first).toContain('/etc/init.d/mwan3 disable');
    expect(first).toContain('/etc/init.d/intelli-mesh enable');
  });
});
