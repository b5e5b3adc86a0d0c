import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from './agent-config-yaml.ts';
import {
  checkPushedConfig,
  configVersion,
  pushableDocument,
  writeConfigFile,
} from './agent-config-file.ts';

const example = readFileSync(
  new URL('../../test/agent/fixtures/agent.yaml', import.meta.url),
  'utf8',
);
const withMqtt = `${example}mqtt:\n  url: mqtts://broker.example:8883\n  site: lab\n  passwordFile: secret\n  tls: { ca: ca.pem }\n`;

describe('agent config as pushed and saved', () => {
  const running = parseAgentConfig(withMqtt, 'agent.yaml');

  it('reports and pushes the config without its mqtt section, versioned by content', () => {
    const doc = pushableDocument(running);
    expect(doc).not.toHaveProperty('mqtt');
    expect(doc.node).toBe('node-1');
    expect(configVersion(running)).toMatch(/^local-[0-9a-f]{12}$/);
    // Same content, same version; a change gives another.
    expect(configVersion(parseAgentConfig(withMqtt, 'b.yaml'))).toBe(configVersion(running));
    const changed = parseAgentConfig(withMqtt.replace('holdDownMs: 30000', 'holdDownMs: 1'), 'c');
    expect(configVersion(changed)).not.toBe(configVersion(running));
  });

  it('accepts a valid push and names the place of a mistake', () => {
    const doc = pushableDocument(running);
    expect(checkPushedConfig({ ...doc, holdDownMs: 5000 }, running)).toMatchObject({
      ok: true,
      config: { holdDownMs: 5000 },
    });
    expect(checkPushedConfig({ ...doc, holdDownMs: -1 }, running)).toEqual({
      ok: false,
      errors: [{ path: 'holdDownMs', message: 'must be at least 0' }],
    });
    expect(checkPushedConfig({ ...doc, mqtt: { url: 'mqtt://evil' } }, running)).toMatchObject({
      ok: false,
      errors: [{ path: 'mqtt' }],
    });
    expect(checkPushedConfig({ ...doc, node: 'node-2' }, running)).toMatchObject({
      ok: false,
      errors: [{ path: 'node' }],
    });
    expect(checkPushedConfig([1, 2], running)).toMatchObject({ ok: false });
  });

  it('writes a confirmed config atomically, with its version, keeping the mqtt section and mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-agent-file-'));
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, withMqtt, { mode: 0o640 });
    const next = { ...pushableDocument(running), holdDownMs: 7000 };
    await writeConfigFile(file, running, 'v9', next);
    const saved = parseAgentConfig(readFileSync(file, 'utf8'), file);
    expect(saved.version).toBe('v9');
    expect(configVersion(saved)).toBe('v9');
    expect(saved.holdDownMs).toBe(7000);
    expect(saved.mqtt).toMatchObject({
      url: 'mqtts://broker.example:8883',
      passwordFile: 'secret',
    });
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['agent.yaml']);
  });

  it('keeps a JSON config file JSON when it saves a confirmed config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-agent-file-'));
    const file = join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify(running.document), { mode: 0o600 });
    await writeConfigFile(file, running, 'v10', { ...pushableDocument(running), holdDownMs: 5000 });
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ version: 'v10', holdDownMs: 5000, node: running.node });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
