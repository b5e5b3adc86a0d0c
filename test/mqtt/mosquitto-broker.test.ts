import { describe, it } from 'vitest';
import { COMPLIANCE_USERS, brokerCompliance } from './broker-compliance.ts';
import { mosquittoAvailable, removeDir, startMosquitto } from './mosquitto-process.ts';

if (mosquittoAvailable()) {
  brokerCompliance('Mosquitto', async () => {
    const m = await startMosquitto(COMPLIANCE_USERS.map((u) => ({ ...u })));
    return {
      url: m.url,
      close: async () => {
        await m.stop();
        removeDir(m.dir);
      },
    };
  });
} else {
  describe('MQTT broker compliance: Mosquitto', () => {
    it.skip('needs the mosquitto Debian package (.ci/run installs it)', () => {});
  });
}
