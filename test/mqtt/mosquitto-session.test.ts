import { describe, it } from 'vitest';
import { SESSION_USERS, sessionCompliance } from './session-compliance.ts';
import { mosquittoAvailable, removeDir, startMosquitto } from './mosquitto-process.ts';

if (mosquittoAvailable()) {
  sessionCompliance('Mosquitto', async () => {
    const users = SESSION_USERS.map((u) => ({ ...u }));
    let m = await startMosquitto(users);
    const port = Number(new URL(m.url).port);
    return {
      url: m.url,
      marksRedeliveries: true,
      // A real restart: persistent sessions and queued messages come back from its database.
      interrupt: async () => {
        await m.stop();
        m = await startMosquitto(users, m.dir, port);
      },
      freeze: () => {
        process.kill(m.pid!, 'SIGSTOP');
        return () => process.kill(m.pid!, 'SIGCONT');
      },
      close: async () => {
        if (m.pid !== undefined) process.kill(m.pid, 'SIGCONT');
        await m.stop();
        removeDir(m.dir);
      },
    };
  });
} else {
  describe('controller MQTT session: Mosquitto', () => {
    it.skip('needs the mosquitto Debian package (.ci/run installs it)', () => {});
  });
}
