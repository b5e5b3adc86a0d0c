/**
 * What an empty controller shows instead of a blank canvas: no node has reported yet, and the
 * two steps that make one appear (render its configuration from the site file, run its agent
 * against this controller's broker), with where the full instructions are.
 *
 * @example
 * {graph.nodes.length === 0 && <EmptySite />}
 */
import './empty-site.css';

export function EmptySite() {
  return (
    <div className="empty-site" data-testid="empty-site">
      <p>
        <strong>No node has reported to this controller yet.</strong> Nodes appear here as soon as
        their agent logs in to the MQTT broker and publishes its state.
      </p>
      <ol>
        <li>
          Describe the site and render each router&apos;s files (agent, its service, its MQTT
          password) and the broker&apos;s users:
          <pre className="code">intelli-mesh config render site.yaml --out out/</pre>
        </li>
        <li>
          Install a node&apos;s files on it (or build its image), or on any Linux box run the agent
          with a config that points at this controller&apos;s broker:
          <pre className="code">intelli-mesh agent --config /etc/intelli-mesh/agent.yaml</pre>
        </li>
      </ol>
      <p className="muted small">
        Step by step: <code>docs/deployment.md</code> (broker, users, controller, agents),{' '}
        <code>docs/openwrt.md</code> (router images) and <code>docs/agent.md</code> (the
        agent&apos;s config). To see the dashboard with a simulated mesh instead, run{' '}
        <code>intelli-mesh start</code>.
      </p>
    </div>
  );
}
