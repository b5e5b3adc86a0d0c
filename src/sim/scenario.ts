/**
 * Loads a scenario: YAML text -> schema -> cross-references (every node, link and WAN a fault
 * or flow names must exist). Every problem found is reported at once in a ScenarioError naming
 * the file and each path, e.g. `grid.yaml: faults[2].target: unknown node 'n99'`.
 *
 * @example
 * const scenario = parseScenario(readFileSync('scenarios/line-5-lossy.yaml', 'utf8'), 'line-5-lossy.yaml');
 */
import { LineCounter, parseDocument } from 'yaml';
import {
  safeParseKnowingKeys,
  zodValidationIssues,
  type ValidationIssue,
} from '../core/validation-issues.ts';
import { checkClients, CLIENT_PREFIX } from './client-schema.ts';
import { ScenarioError } from './errors.ts';
import { type Scenario, scenarioSchema } from './scenario-schema.ts';
import { buildTopology } from './topology.ts';

export function parseScenario(text: string, file = 'scenario'): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    const where = `line ${pos.line}, column ${pos.col}`;
    throw new ScenarioError(file, where, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  return validateScenario(doc.toJS(), file);
}

/** Checks a scenario object; every problem found is reported in one ScenarioError. */
export function validateScenario(raw: unknown, file = 'scenario'): Scenario {
  const { result, known } = safeParseKnowingKeys(scenarioSchema, raw);
  if (!result.success) {
    const issues = zodValidationIssues(result.error, raw, known);
    throw new ScenarioError(file, issues[0]!.path, issues[0]!.message, issues);
  }
  const s = result.data;
  const topo = buildTopology(s, file);
  const names = new Set(topo.nodes.map((n) => n.name));
  const linkKeys = new Set(topo.links.flatMap((l) => [`${l.a}-${l.b}`, `${l.b}-${l.a}`]));
  const wanKeys = new Set(s.wans.map((w) => `${w.node}/${w.name}`));
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  s.wans.forEach((w, i) => {
    if (!names.has(w.node)) add(`wans[${i}].node`, `unknown node '${w.node}'`);
  });
  s.traffic.flows.forEach((f, i) => {
    if (!names.has(f.from)) add(`traffic.flows[${i}].from`, `unknown node '${f.from}'`);
    if (!names.has(f.to) && !f.to.startsWith(CLIENT_PREFIX))
      add(`traffic.flows[${i}].to`, `unknown node '${f.to}'`);
    if (f.from === f.to) add(`traffic.flows[${i}].to`, 'a flow needs two different nodes');
  });
  s.faults.forEach((f, i) => {
    const path = `faults[${i}].target`;
    if (f.kind.startsWith('node-') && !names.has(f.target)) add(path, `unknown node '${f.target}'`);
    if (f.kind.startsWith('link-') && !linkKeys.has(f.target))
      add(path, `unknown link '${f.target}' (write it as NODE-NODE)`);
    if (f.kind.startsWith('wan-') && !wanKeys.has(f.target))
      add(path, `unknown WAN '${f.target}' (write it as NODE/WAN)`);
    if (f.at_s > s.duration_s)
      add(`faults[${i}].at_s`, `${f.at_s} is after duration_s ${s.duration_s}`);
  });
  checkClients(s, names, add);
  if (s.chaos && s.chaos.stop_s <= s.chaos.start_s)
    add('chaos.stop_s', 'must be after chaos.start_s');
  if (issues.length > 0) throw new ScenarioError(file, issues[0]!.path, issues[0]!.message, issues);
  return s;
}
