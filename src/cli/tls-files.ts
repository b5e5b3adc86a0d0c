/**
 * A server's TLS files as given on the command line (`--mqtt-tls-cert`, `--mqtt-tls-key`,
 * `--mqtt-tls-ca`, `--http-tls-cert`, `--http-tls-key`), read and checked before anything
 * listens: each file readable and PEM of the right kind, the key the certificate's own, the
 * certificate within its validity dates. Each problem is its own error class, and its message
 * names the flag and the file, so a bad start says what to fix instead of every node failing
 * its handshake later. Also the certificate's subjectAltName entries, for the startup banner
 * (nodes verify the URL's host against them).
 *
 * @example
 * const tls = loadServerTls({
 *   cert: { flag: '--mqtt-tls-cert', file: 'server.pem' },
 *   key: { flag: '--mqtt-tls-key', file: 'server.key' },
 *   now: Date.now(),
 * });
 * tls.names; // [{ kind: 'IP', value: '10.0.0.1' }, { kind: 'DNS', value: 'ctl.example' }]
 * tls.certificate.checkIP('10.0.0.1'); // '10.0.0.1': nodes may use mqtts://10.0.0.1
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IntelliMeshError } from '../core/errors.ts';

/** A TLS file given on the command line: which flag, which file. */
export interface TlsFileArg {
  flag: string;
  file: string;
}

/** The file cannot be read (missing, a directory, no permission). */
export class TlsFileUnreadableError extends IntelliMeshError {}
/** The file holds no PEM certificate (or a broken one). */
export class TlsCertificateInvalidError extends IntelliMeshError {}
/** The file holds no unencrypted PEM private key. */
export class TlsKeyInvalidError extends IntelliMeshError {}
/** The private key is not the certificate's. */
export class TlsKeyMismatchError extends IntelliMeshError {}
/** The certificate's validity ended. */
export class TlsCertificateExpiredError extends IntelliMeshError {}
/** The certificate's validity has not begun (or this machine's clock is behind). */
export class TlsCertificateNotYetValidError extends IntelliMeshError {}

export interface CertificateName {
  kind: 'IP' | 'DNS';
  value: string;
}

export interface ServerTls {
  /** PEM as read: the certificate, or the chain with the server's certificate first. */
  cert: string;
  key: string;
  /** PEM CA certificates that clients' certificates must chain to, when given. */
  ca?: string;
  /** The server's certificate (the first of the file). */
  certificate: X509Certificate;
  /** Its subjectAltName IP and DNS entries. */
  names: CertificateName[];
}

function read(arg: TlsFileArg): string {
  try {
    return readFileSync(arg.file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.message;
    throw new TlsFileUnreadableError(`${arg.flag} ${arg.file}: cannot read it: ${why}`, {
      cause: err,
    });
  }
}

function certificateOf(arg: TlsFileArg, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TlsCertificateInvalidError(
      `${arg.flag} ${arg.file}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function checkDates(arg: TlsFileArg, certificate: X509Certificate, now: number): void {
  if (now > Date.parse(certificate.validTo)) {
    throw new TlsCertificateExpiredError(
      `${arg.flag} ${arg.file}: the certificate expired on ${certificate.validTo}: nodes would refuse it`,
    );
  }
  if (now < Date.parse(certificate.validFrom)) {
    throw new TlsCertificateNotYetValidError(
      `${arg.flag} ${arg.file}: the certificate is valid only from ${certificate.validFrom} (is this machine's clock right?)`,
    );
  }
}

/** The subjectAltName entries a client can match a URL's host against. */
export function certificateNames(certificate: X509Certificate): CertificateName[] {
  const names: CertificateName[] = [];
  for (const entry of (certificate.subjectAltName ?? '').split(/,\s*/)) {
    const m = /^(IP Address|DNS):(.+)$/.exec(entry);
    if (m) names.push({ kind: m[1] === 'DNS' ? 'DNS' : 'IP', value: m[2]! });
  }
  return names;
}

export function loadServerTls(options: {
  cert: TlsFileArg;
  key: TlsFileArg;
  ca?: TlsFileArg | undefined;
  /** Wall-clock ms, for the validity check. */
  now: number;
}): ServerTls {
  const { cert: certArg, key: keyArg, ca: caArg } = options;
  const cert = read(certArg);
  const certificate = certificateOf(certArg, cert);
  const key = read(keyArg);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new TlsKeyInvalidError(
      `${keyArg.flag} ${keyArg.file}: not an unencrypted PEM private key: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsKeyMismatchError(
      `${keyArg.flag} ${keyArg.file} is not the private key of ${certArg.flag} ${certArg.file}`,
    );
  }
  checkDates(certArg, certificate, options.now);
  let ca: string | undefined;
  if (caArg) {
    ca = read(caArg);
    checkDates(caArg, certificateOf(caArg, ca), options.now);
  }
  return {
    cert,
    key,
    ...(ca !== undefined ? { ca } : {}),
    certificate,
    names: certificateNames(certificate),
  };
}
