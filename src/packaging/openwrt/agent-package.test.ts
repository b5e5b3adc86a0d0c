import { describe, expect, it } from 'vitest';
import { validateAgentConfig } from '../../agent/agent-config.ts';
import { agentServiceFiles } from '../../config/render/agent-service.ts';
import { agentPackage, EXAMPLE_AGENT_CONFIG, PACKAGE_DEPENDS } from './agent-package.ts';
import { buildIpk } from './ipk.ts';

describe('the intelli-mesh package for OpenWrt', () => {
  const pkg = agentPackage({ bundle: Buffer.from('// bundle'), version: '0.1.0-1' });

  it('holds the bundle, every service file, and an example config the agent accepts', () => {
    expect(pkg.files.map((f) => f.path).sort()).toEqual(
      [
        'usr/lib/intelli-mesh/agent.mjs',
        'usr/share/intelli-mesh/agent.example.json',
        ...agentServiceFiles().map((f) => f.path),
      ].sort(),
    );
    const example = pkg.files.find((f) => f.path.endsWith('agent.example.json'))!;
    const cfg = validateAgentConfig(JSON.parse(String(example.content)), 'example');
    expect(cfg).toMatchObject({ platform: 'openwrt', node: EXAMPLE_AGENT_CONFIG.node });
    expect(cfg.wans[0]!.gateway).toBeUndefined();
  });

  it('is architecture-independent, keeps its settings across upgrades, and needs node', () => {
    expect(pkg.control).toMatchObject({ package: 'intelli-mesh', architecture: 'all' });
    expect(pkg.control.depends).toEqual(PACKAGE_DEPENDS);
    expect(PACKAGE_DEPENDS).toContain('node');
    expect(pkg.conffiles).toEqual(['/etc/config/intelli-mesh']);
    expect(Object.keys(pkg.scripts ?? {}).sort()).toEqual(['postinst', 'postrm', 'prerm']);
    expect(pkg.scripts?.postinst).toContain('default_postinst');
    expect(pkg.scripts?.prerm).toContain('default_prerm');
    expect(() => buildIpk(pkg)).not.toThrow();
  });
});
