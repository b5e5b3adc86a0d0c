/**
 * A throw-away PKI for TLS tests, made with Debian's `openssl` command the way
 * docs/deployment.md tells an operator to: a CA, a server certificate signed by it whose
 * subjectAltName lists the given IPs and DNS names, a client certificate from the same CA, and an
 * unrelated second CA (with its own server and client certificates) that must never be trusted.
 * EC P-256 keys: quick to make, and what the docs use.
 *
 * @example
 * const pki = makeTestPki(mkdtempSync(join(tmpdir(), 'pki-')), { ips: ['127.0.0.1'] });
 * readFileSync(pki.ca, 'utf8'); // -----BEGIN CERTIFICATE----- …
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why these tests cannot make certificates here, or null when they can. */
export function opensslUnavailableReason(): string | null {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return "'openssl' is not available (apt-get install openssl)";
  }
}

export interface TestPki {
  /** The CA nodes are given as `tls.ca`. */
  ca: string;
  caKey: string;
  /** Server certificate (signed by `ca`) and key. */
  server: string;
  serverKey: string;
  /** Client certificate for a node (signed by `ca`) and key. */
  client: string;
  clientKey: string;
  /** A CA nobody here trusts, with a server and a client certificate of its own. */
  otherCa: string;
  otherServer: string;
  otherServerKey: string;
  otherClient: string;
  otherClientKey: string;
  /** A server certificate from `ca` for the same names whose validity ended yesterday. */
  expiredServer: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string, cn: string): void {
  // The same command as docs/deployment.md, for a shorter time.
  openssl(dir, [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`],
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
}

function makeLeaf(
  dir: string,
  ca: string,
  name: string,
  cn: string,
  extensions: string,
  days = '2',
): void {
  openssl(dir, [
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`],
  ]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    ...['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`],
    ...['-CAcreateserial', '-out', `${name}.pem`, '-days', days, '-extfile', `${name}.ext`],
  ]);
}

export function makeTestPki(dir: string, names: { ips: string[]; dns?: string[] }): TestPki {
  const san = [...names.ips.map((ip) => `IP:${ip}`), ...(names.dns ?? []).map((d) => `DNS:${d}`)];
  const serverExt = `subjectAltName=${san.join(',')}\nextendedKeyUsage=serverAuth\n`;
  const clientExt = 'extendedKeyUsage=clientAuth\n';
  makeCa(dir, 'ca', 'Intelli-Mesh test CA');
  makeCa(dir, 'other-ca', 'Some other CA');
  makeLeaf(dir, 'ca', 'server', 'controller', serverExt);
  makeLeaf(dir, 'ca', 'client', 'node-3', clientExt);
  makeLeaf(dir, 'other-ca', 'other-server', 'controller', serverExt);
  makeLeaf(dir, 'other-ca', 'other-client', 'node-3', clientExt);
  // A negative validity makes a certificate whose end lies in the past.
  makeLeaf(dir, 'ca', 'expired', 'controller', serverExt, '-1');
  const at = (f: string) => join(dir, f);
  return {
    ca: at('ca.pem'),
    caKey: at('ca.key'),
    server: at('server.pem'),
    serverKey: at('server.key'),
    client: at('client.pem'),
    clientKey: at('client.key'),
    otherCa: at('other-ca.pem'),
    otherServer: at('other-server.pem'),
    otherServerKey: at('other-server.key'),
    otherClient: at('other-client.pem'),
    otherClientKey: at('other-client.key'),
    expiredServer: at('expired.pem'),
  };
}

/** A file's text, for TLS options that take PEM contents. */
export function pem(file: string): string {
  return readFileSync(file, 'utf8');
}
