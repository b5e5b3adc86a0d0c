/**
 * An agent config file in YAML (hand-written ones, with comments), with the line of a syntax
 * error; JSON files need no YAML parser (`parseAgentConfigJson`).
 *
 * @example
 * const cfg = parseAgentConfig(readFileSync('agent.yaml', 'utf8'), 'agent.yaml');
 * cfg.wans[0]!.tracker.intervalMs; // 50
 */
import { parseDocument } from 'yaml';
import { AgentConfigError, validateAgentConfig, type AgentConfig } from './agent-config.ts';

export function parseAgentConfig(text: string, source: string): AgentConfig {
  const doc = parseDocument(text);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line;
    throw new AgentConfigError(
      source,
      line === undefined ? '(document)' : `line ${line}`,
      yamlError.message.split('\n')[0]!.replace(/:$/, ''),
    );
  }
  return validateAgentConfig(doc.toJS(), source);
}
