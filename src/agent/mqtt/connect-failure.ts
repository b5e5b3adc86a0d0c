/**
 * Why a node could not reach its broker, in words an operator can act on. Node's TLS errors
 * say what failed ("self-signed certificate in certificate chain", "Hostname/IP does not match
 * certificate's altnames: …") but not what to change on the node; this adds the code and the
 * likely fix. Other errors (refused, unreachable, bad login) pass through as they are. Some
 * failures reach the client only as a closed connection (the broker refusing a client
 * certificate, a TLS port spoken to in plain); `describeEarlyClose` names their likely causes.
 *
 * @example
 * describeConnectFailure(err);
 * // "self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN: the broker's
 * //  certificate is not signed by a CA this node trusts: check tls.ca)"
 */
import type { MqttClient } from 'mqtt';

const UNTRUSTED = "the broker's certificate is not signed by a CA this node trusts: check tls.ca";

const HINTS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  CERT_SIGNATURE_FAILURE: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the URL's host is not among the certificate's names (subjectAltName): use an address or name it lists, or reissue it",
  CERT_HAS_EXPIRED: "the broker's certificate has expired, or this node's clock is wrong",
  CERT_NOT_YET_VALID: "the broker's certificate is not valid yet: is this node's clock right?",
  ERR_SSL_WRONG_VERSION_NUMBER: 'the port does not speak TLS: is it the plain mqtt:// port?',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    'the broker requires a client certificate: set tls.cert and tls.key',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    "the broker does not trust this node's client certificate: check tls.cert",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE:
    "the broker refused this node's client certificate: check tls.cert and tls.key",
};

export function describeConnectFailure(err: Error & { code?: unknown; reason?: unknown }): string {
  const code = typeof err.code === 'string' ? err.code : undefined;
  // OpenSSL's messages carry its internal location; its `reason` is the readable part.
  const text =
    typeof err.reason === 'string' && err.message.includes('SSL routines')
      ? err.reason
      : err.message;
  const hint = code ? HINTS[code] : undefined;
  return hint ? `${text} (${code}: ${hint})` : text;
}

/** A connection that closed before the broker accepted the login, with no error to show. */
export function describeEarlyClose(url: string): string {
  const why = 'the connection closed before the broker accepted the login';
  return /^(mqtts|wss):/.test(url)
    ? `${why} (if the broker requires client certificates, check tls.cert and tls.key; the broker's log says why)`
    : `${why} (is it a TLS port? then use mqtts:// or wss://)`;
}

/**
 * Resolves at the client's first CONNACK; rejects, with the client ended, at its first error or
 * early close (with several addresses, once each one has failed), with `error(why, cause)`. mqtt.js retries in silence when a connection closes
 * without an error it reports (a TLS alert after the handshake, a TLS port spoken to in plain):
 * a first connection gives up and says so instead.
 */
export function firstConnect(
  client: MqttClient,
  url: string,
  error: (why: string, cause?: Error) => Error,
  /** Connections that may fail first: a cluster's addresses are each tried once. @default 1 */
  attempts = 1,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let closes = 0;
    let lastError: Error | undefined;
    const fail = (why: string, cause?: Error) => {
      client.off('error', onError);
      client.off('close', onClose);
      client.end(true);
      reject(error(why, cause));
    };
    const onError = (err: Error) => {
      lastError = err;
      if (attempts <= 1) fail(describeConnectFailure(err), err);
    };
    // With several addresses, mqtt.js reconnects to the next one after each close.
    const onClose = () => {
      if (++closes < attempts) return;
      if (lastError) fail(describeConnectFailure(lastError), lastError);
      else fail(describeEarlyClose(url));
    };
    client.on('error', onError);
    client.on('close', onClose);
    client.once('connect', () => {
      client.off('error', onError);
      client.off('close', onClose);
      resolve();
    });
  });
}
