/** Shared helpers of the simulator tests: run a scenario given as YAML, collect its trace. */
import { parseScenario } from '../../src/sim/scenario.ts';
import { Simulation } from '../../src/sim/simulation.ts';

export function simulate(yaml: string, seed?: number): { sim: Simulation; lines: string[] } {
  const lines: string[] = [];
  const sim = new Simulation(parseScenario(yaml, 'test.yaml'), {
    seed,
    traceSink: (l) => lines.push(l),
  });
  return { sim, lines };
}

export function parsed(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}
