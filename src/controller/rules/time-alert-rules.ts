/**
 * The alert rules that need memory and time, next to the stateless ones of alert-rules.ts: a
 * degraded link (held for seconds, with hysteresis) and a flapping gateway choice (counted over
 * minutes). Fed every ingested message with the controller's time of receipt.
 *
 * @example
 * const rules = new TimeAlertRules(resolveAlertRuleOptions(), store.alerts.listOpen().map((a) => a.key));
 * rules.ops({ channel: 'state', message: state }, now); // RuleOp[]
 */
import type { IngestedMessage } from '../alert-rules.ts';
import type { AlertRuleOptions } from './alert-rule-options.ts';
import { GatewayFlappingRule } from './gateway-flapping-rule.ts';
import { LinkDegradedRule } from './link-degraded-rule.ts';
import type { RuleOp } from './rule-op.ts';

export class TimeAlertRules {
  private readonly links: LinkDegradedRule;
  private readonly flaps: GatewayFlappingRule;

  constructor(options: AlertRuleOptions, openKeys: readonly string[] = []) {
    this.links = new LinkDegradedRule(options.link, openKeys);
    this.flaps = new GatewayFlappingRule(options.flap, openKeys);
  }

  ops(input: IngestedMessage, at: number): RuleOp[] {
    switch (input.channel) {
      case 'status':
        return this.links.onStatus(input.message.node, input.message.online);
      case 'state':
        return [
          ...this.links.onState(input.message, at),
          ...this.flaps.onTick(input.message.node, at),
        ];
      case 'events':
        return this.flaps.onEvent(input.message, at);
    }
  }
}
