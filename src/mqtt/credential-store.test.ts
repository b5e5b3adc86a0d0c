import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialFileError, CredentialStore } from './credential-store.ts';
import { hashPassword, mosquittoPasswordHash, verifyPassword } from './password-hash.ts';

describe('password hashes', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const h = hashPassword('correct horse');
    expect(verifyPassword('correct horse', h)).toBe(true);
    expect(verifyPassword('correct hors', h)).toBe(false);
    expect(hashPassword('correct horse')).not.toBe(h);
  });

  it("writes Mosquitto's $7$ PBKDF2-SHA512 layout", async () => {
    const parts = mosquittoPasswordHash('pw').split('$');
    expect(parts.slice(0, 3)).toEqual(['', '7', '210000']);
    expect(Buffer.from(parts[3]!, 'base64')).toHaveLength(12);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(64);
  });
});

describe('CredentialStore', () => {
  it('loads a YAML file and authenticates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-cred-'));
    const file = join(dir, 'users.yaml');
    writeFileSync(
      file,
      `users:\n  - username: node-3\n    role: node\n    password_hash: '${hashPassword('pw')}'\n`,
    );
    const store = CredentialStore.fromFile(file);
    expect(await store.authenticate('node-3', 'pw')).toEqual({ username: 'node-3', role: 'node' });
    expect(await store.authenticate('node-3', 'nope')).toBeUndefined();
    expect(await store.authenticate('node-4', 'pw')).toBeUndefined();
  });

  it('names the file and path of a bad entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-cred-'));
    const file = join(dir, 'users.yaml');
    writeFileSync(file, `users:\n  - username: 'a/b'\n    role: admin\n    password_hash: x\n`);
    expect(() => CredentialStore.fromFile(file)).toThrow(CredentialFileError);
    expect(() => CredentialStore.fromFile(file)).toThrow(/users\[0\]\.username/);
    expect(() => CredentialStore.fromFile(file)).toThrow(/users\[0\]\.role/);
  });

  it("returns a node's site with its login, and loads entries without one", async () => {
    const h = hashPassword('pw');
    const store = CredentialStore.fromUsers([
      { username: 'gw-1', role: 'node', site: 'lab', password_hash: h },
      { username: 'gw-2', role: 'node', password_hash: h },
    ]);
    expect(await store.authenticate('gw-1', 'pw')).toEqual({
      username: 'gw-1',
      role: 'node',
      site: 'lab',
    });
    expect(await store.authenticate('gw-2', 'pw')).toEqual({ username: 'gw-2', role: 'node' });
    expect(() =>
      CredentialStore.fromUsers([
        { username: 'gw-3', role: 'node', site: 'a/b', password_hash: h },
      ]),
    ).toThrow(/users\[0\]\.site/);
  });

  it("returns a radio gateway's network, and refuses one without it or a network elsewhere", async () => {
    const h = hashPassword('pw');
    const store = CredentialStore.fromUsers([
      { username: 'gw-1', role: 'radio-gateway', network: 'field', password_hash: h },
    ]);
    expect(await store.authenticate('gw-1', 'pw')).toEqual({
      username: 'gw-1',
      role: 'radio-gateway',
      network: 'field',
    });
    expect(() =>
      CredentialStore.fromUsers([{ username: 'gw-2', role: 'radio-gateway', password_hash: h }]),
    ).toThrow(/users\[0\]\.network: a radio-gateway needs/);
    expect(() =>
      CredentialStore.fromUsers([
        { username: 'n', role: 'node', network: 'field', password_hash: h },
      ]),
    ).toThrow(/users\[0\]\.network: only a radio-gateway/);
  });

  it('refuses duplicate usernames', async () => {
    const h = hashPassword('pw');
    expect(() =>
      CredentialStore.fromUsers([
        { username: 'a', role: 'node', password_hash: h },
        { username: 'a', role: 'viewer', password_hash: h },
      ]),
    ).toThrow(/users\[1\]\.username 'a' appears twice/);
  });
});
