/**
 * Typed errors of the policy core, one per condition.
 *
 * @example
 * parsePolicyConfig({ members: [], policies: [], rules: [{ name: 'r', policy: 'nope' }] });
 * // throws PolicyConfigError: policy config 'rules.0.policy': unknown policy 'nope'
 */
import { IntelliMeshError } from '../../core/errors.ts';

/** A multi-WAN policy config that fails validation; `path` names the offending field. */
export class PolicyConfigError extends IntelliMeshError {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`policy config '${path}': ${detail}`);
  }
}

/** An address or CIDR prefix that does not parse; `where` names the field it came from. */
export class InvalidAddressError extends IntelliMeshError {
  constructor(
    readonly value: string,
    readonly where: string,
  ) {
    super(`${where}: '${value}' is not an IPv4 address or CIDR prefix`);
  }
}

/** A gateway candidate with an out-of-range TQ or bandwidth. */
export class InvalidGatewayCandidateError extends IntelliMeshError {
  constructor(
    readonly originator: string,
    detail: string,
  ) {
    super(`gateway candidate ${originator}: ${detail}`);
  }
}
