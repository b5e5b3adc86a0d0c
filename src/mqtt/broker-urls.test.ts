import { describe, expect, it } from 'vitest';
import { brokerUrls, mqttJsServers } from './broker-urls.ts';

describe('broker address lists', () => {
  it('reads one address, or several separated by commas', () => {
    expect(brokerUrls('mqtt://10.0.0.1:1883')).toEqual(['mqtt://10.0.0.1:1883']);
    expect(brokerUrls('mqtt://a:1883, mqtt://b:1884')).toEqual(['mqtt://a:1883', 'mqtt://b:1884']);
  });

  it('refuses empty entries, non-URLs and mixed schemes, naming the entry', () => {
    expect(() => brokerUrls('mqtt://a:1883,,mqtt://b')).toThrow(/empty entry/);
    expect(() => brokerUrls('mqtt://a:1883,b:1883')).toThrow(/'b:1883'/);
    expect(() => brokerUrls('mqtt://a:1883,mqtts://b:8883')).toThrow(
      /'mqtts:\/\/b:8883' differs from 'mqtt:\/\/a:1883'/,
    );
    expect(() => brokerUrls('http://a')).toThrow(/expected mqtt:\/\//);
  });

  it('gives mqtt.js its servers, default ports filled in', () => {
    expect(mqttJsServers(['mqtts://a', 'mqtts://[::1]:9883'])).toEqual([
      { host: 'a', port: 8883, protocol: 'mqtts' },
      { host: '::1', port: 9883, protocol: 'mqtts' },
    ]);
  });
});
