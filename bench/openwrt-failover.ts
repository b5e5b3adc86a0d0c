/**
 * The packaged agent on OpenWrt's userland (test/openwrt/router-lab.ts): the .ipk installed with
 * opkg into a harness router, run by procd with the service's V8 flags, its WANs from netifd
 * (a DHCP lease and a static address), in fast mode (a probe cycle every 50 ms reading a 10 ms
 * ICMP echo stream, offline after 12 failed cycles, as bench/failover.ts). A client behind it
 * pings the internet every 10 ms; the primary WAN fails (carrier loss at the ISP, or a silent
 * blackhole there); the outage is the time from the fault to the client's first reply, which
 * must come through the second ISP. Also the agent's resident memory under procd.
 *
 * Root; the OpenWrt stage (test/openwrt/build-userland.sh). RUNS per fault (default 20).
 *
 * @example
 * sudo npx tsx bench/openwrt-failover.ts
 */
import { BenchReport } from './bench-report.ts';
import { percentile, round1 } from './percentile.ts';
import {
  ensureStage,
  openwrtUnavailableReason,
  releaseAll,
  waitFor,
} from '../test/openwrt/harness.ts';
import { RouterLab } from '../test/openwrt/router-lab.ts';

const RUNS = Number(process.env.RUNS ?? 20);

const skip = await openwrtUnavailableReason();
if (skip) {
  console.error(`openwrt-failover needs the OpenWrt harness: ${skip}`);
  process.exit(1);
}
await ensureStage((line) => console.log(line));
const report = new BenchReport('openwrt-failover');
const lab = await RouterLab.start({ trackIntervalMs: 50, down: 12, icmpStreamIntervalMs: 10 });
try {
  await lab.node.exec(['opkg', 'install', await lab.packageIpk(1)]);
  await lab.waitOnline();
  await waitFor('client traffic on isp1', async () => (await lab.clientCarrier()) === 1, 30_000);
  const agentPid = (await lab.node.sh('pgrep -f "agent.mjs agent"')).trim().split('\n')[0]!;
  const rssMiB = async () =>
    Number(/VmRSS:\s+(\d+)/.exec(await lab.node.sh(`cat /proc/${agentPid}/status`))![1]) / 1024;

  for (const kind of ['link_down', 'blackhole'] as const) {
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const stream = lab.pingStream();
      try {
        await stream.firstAfter(Date.now());
        const [before] = await lab.clientPackets();
        await stream.firstAfter(Date.now());
        if ((await lab.clientPackets())[0] === before)
          throw new Error(`run ${run}: client traffic is not on isp1 before the fault`);
        await new Promise((r) => setTimeout(r, Math.random() * 100));
        const [, isp2Before] = await lab.clientPackets();
        if (kind === 'link_down') await lab.isps[0].exec(['ip', 'link', 'set', 'up0', 'down']);
        else await lab.blackhole(1);
        const t0 = Date.now();
        times.push((await stream.firstAfter(t0 + 2)) - t0);
        if ((await lab.clientPackets())[1] <= isp2Before)
          throw new Error(`run ${run}: the client's replies did not come through isp2`);
      } finally {
        stream.stop();
      }
      await lab.isps[0].exec(['ip', 'link', 'set', 'up0', 'up']);
      await lab.heal(1);
      await waitFor(
        'client traffic back on isp1',
        async () => (await lab.clientCarrier()) === 1,
        60_000,
      );
      console.log(`  ${kind} run ${run + 1}/${RUNS}: ${round1(times.at(-1)!)} ms`);
    }
    report.add(kind, {
      p50_ms: round1(percentile(times, 50)),
      p95_ms: round1(percentile(times, 95)),
      max_ms: round1(Math.max(...times)),
      runs: times.length,
    });
  }
  report.add('agent', {
    rss_mib: round1(await rssMiB()),
    node_flags: '--lite-mode --max-old-space-size=48',
  });
  await report.write();
} finally {
  await lab.destroy();
  await releaseAll();
}
