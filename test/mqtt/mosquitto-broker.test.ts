import { describe, it } from 'vitest';
import { COMPLIANCE_USERS, brokerCompliance } from './broker-compliance.ts';
import { mosquittoAvailable, startMosquittoBroker } from './mosquitto-process.ts';

if (mosquittoAvailable()) {
  brokerCompliance('Mosquitto', () =>
    startMosquittoBroker(COMPLIANCE_USERS.map((u) => ({ ...u }))),
  );
} else {
  describe('MQTT broker compliance: Mosquitto', () => {
    it.skip('needs the mosquitto Debian package (.ci/run installs it)', () => {});
  });
}
