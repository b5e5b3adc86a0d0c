import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { COMPLIANCE_USERS, brokerCompliance } from './broker-compliance.ts';

brokerCompliance('embedded Aedes', async () => {
  const credentials = CredentialStore.fromUsers(
    COMPLIANCE_USERS.map((u) => ({
      username: u.username,
      role: u.role,
      password_hash: hashPassword(u.password),
    })),
  );
  return startEmbeddedBroker({ credentials, port: 0 });
});
