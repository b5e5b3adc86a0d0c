import { describe, expect, it } from 'vitest';
import { describeConnectFailure, describeEarlyClose } from './connect-failure.ts';

const tlsError = (message: string, code: string, reason?: string) =>
  Object.assign(new Error(message), { code, ...(reason ? { reason } : {}) });

describe('describeConnectFailure', () => {
  it('adds the code and what to check to a TLS verification failure', () => {
    expect(
      describeConnectFailure(
        tlsError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      ),
    ).toBe(
      "self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN: the broker's certificate is not signed by a CA this node trusts: check tls.ca)",
    );
    expect(describeConnectFailure(tlsError('certificate has expired', 'CERT_HAS_EXPIRED'))).toBe(
      "certificate has expired (CERT_HAS_EXPIRED: the broker's certificate has expired, or this node's clock is wrong)",
    );
  });

  it("keeps OpenSSL's readable reason, not its internal location", () => {
    const err = tlsError(
      '80AC619FB07F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n',
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'tlsv13 alert certificate required',
    );
    expect(describeConnectFailure(err)).toBe(
      'tlsv13 alert certificate required (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: the broker requires a client certificate: set tls.cert and tls.key)',
    );
  });

  it('passes other errors through', () => {
    expect(
      describeConnectFailure(tlsError('connect ECONNREFUSED 10.0.0.1:8883', 'ECONNREFUSED')),
    ).toBe('connect ECONNREFUSED 10.0.0.1:8883');
    expect(describeConnectFailure(new Error('Connection refused: Bad username or password'))).toBe(
      'Connection refused: Bad username or password',
    );
  });
});

describe('describeEarlyClose', () => {
  it('points at client certificates over TLS, and at a TLS port in plain', () => {
    expect(describeEarlyClose('mqtts://10.0.0.1:8883')).toMatch(/check tls\.cert and tls\.key/);
    expect(describeEarlyClose('mqtt://10.0.0.1:8883')).toMatch(/then use mqtts:\/\/ or wss:\/\//);
  });
});
