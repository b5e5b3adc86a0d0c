import type { Client } from 'aedes';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { SESSION_USERS, sessionCompliance } from './session-compliance.ts';

sessionCompliance('embedded Aedes', async () => {
  const broker = await startEmbeddedBroker({
    port: 0,
    wsPort: 0,
    credentials: CredentialStore.fromUsers(
      SESSION_USERS.map((u) => ({
        username: u.username,
        role: u.role,
        password_hash: hashPassword(u.password),
      })),
    ),
  });
  return {
    url: broker.url,
    marksRedeliveries: false,
    wsUrl: broker.wsUrl,
    interrupt: async (clientId) => {
      // The broker lives on (its sessions are in memory): cut the socket from its side.
      const clients = (broker.aedes as unknown as { clients: Record<string, Client> }).clients;
      clients[clientId]?.conn.destroy();
    },
    close: () => broker.close(),
  };
});
