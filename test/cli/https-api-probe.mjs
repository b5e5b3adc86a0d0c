/**
 * Logs in to a controller's HTTPS API, trusting only the given CA file, and prints one request's
 * JSON body (a GET, or the method and JSON body given after the path). Plain JavaScript, no dependencies: a test runs it inside a network namespace
 * (`ip netns exec NS node https-api-probe.mjs …`) to ask the controller across a link.
 *
 * @example
 * node test/cli/https-api-probe.mjs https://10.77.0.1:8443 ca.pem admin admin-pw /api/nodes
 * node test/cli/https-api-probe.mjs https://10.77.0.1:8443 ca.pem admin admin-pw /api/upgrades POST '{"…"}'
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const [base, caFile, username, password, path, method = 'GET', body] = process.argv.slice(2);
const ca = readFileSync(caFile, 'utf8');

function call(method, url, body, token) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = {};
    if (payload) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request(url, { method, ca, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () =>
        res.statusCode >= 200 && res.statusCode < 300
          ? resolve(JSON.parse(text))
          : reject(new Error(`${method} ${url}: ${res.statusCode} ${text}`)),
      );
    });
    req.once('error', reject);
    req.end(payload);
  });
}

try {
  const { token } = await call('POST', `${base}/api/login`, { username, password });
  const payload = body === undefined ? undefined : JSON.parse(body);
  console.log(JSON.stringify(await call(method, `${base}${path}`, payload, token)));
} catch (err) {
  console.error(err.message);
  process.exitCode = 1;
}
