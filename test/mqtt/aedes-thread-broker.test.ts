import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startBrokerThread } from '../../src/mqtt/broker-thread.ts';
import { COMPLIANCE_USERS, brokerCompliance } from './broker-compliance.ts';

// The same rules must hold when the embedded broker runs on its own worker thread.
brokerCompliance('embedded Aedes on a worker thread', async () => {
  const credentials = CredentialStore.fromUsers(
    COMPLIANCE_USERS.map((u) => ({
      username: u.username,
      role: u.role,
      password_hash: hashPassword(u.password),
    })),
  );
  return startBrokerThread({ credentials, port: 0 });
});
