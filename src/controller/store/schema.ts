/**
 * The controller's SQLite schema, as ordered migrations keyed by `PRAGMA user_version`, so an
 * existing database file is upgraded in place and never rebuilt.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE nodes (
    node        TEXT PRIMARY KEY,
    site        TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    online      INTEGER NOT NULL DEFAULT 0,
    status_at   INTEGER,
    state_json  TEXT,
    state_at    INTEGER
  );
  CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    node     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    subject  TEXT NOT NULL,
    from_v   TEXT,
    to_v     TEXT,
    reason   TEXT NOT NULL
  );
  CREATE INDEX events_at ON events(at);
  CREATE INDEX events_node_at ON events(node, at);
  CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    node       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    severity   TEXT NOT NULL,
    message    TEXT NOT NULL,
    opened_at  INTEGER NOT NULL,
    closed_at  INTEGER,
    acked_by   TEXT,
    acked_at   INTEGER
  );
  CREATE UNIQUE INDEX alerts_open_key ON alerts(key) WHERE closed_at IS NULL;
  CREATE INDEX alerts_opened ON alerts(opened_at);
  -- Raw samples, then per-minute and per-hour rollups; each level has its own retention.
  CREATE TABLE metrics (
    node        TEXT NOT NULL,
    series      TEXT NOT NULL,
    resolution  INTEGER NOT NULL,
    bucket      INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    sum         REAL NOT NULL,
    min         REAL NOT NULL,
    max         REAL NOT NULL,
    PRIMARY KEY (node, series, resolution, bucket)
  ) WITHOUT ROWID;
  CREATE TABLE config_pushes (
    id          TEXT PRIMARY KEY,
    node        TEXT NOT NULL,
    version     TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    config_json TEXT NOT NULL
  );
  CREATE INDEX config_pushes_node ON config_pushes(node, created_at);
  CREATE TABLE users (
    username       TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    username    TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL
  );
  CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  );
  CREATE TABLE rejected_messages (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    topic   TEXT NOT NULL,
    error   TEXT NOT NULL
  );
  `,
  `
  ALTER TABLE nodes ADD COLUMN config_version TEXT;
  ALTER TABLE nodes ADD COLUMN config_json TEXT;
  ALTER TABLE nodes ADD COLUMN config_at INTEGER;
  `,
  `
  CREATE TABLE upgrade_campaigns (
    id              TEXT PRIMARY KEY,
    image_url       TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    version         TEXT NOT NULL,
    max_bytes       INTEGER,
    canary          INTEGER NOT NULL,
    wave_size       INTEGER NOT NULL,
    node_timeout_s  INTEGER NOT NULL,
    max_failures    INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'stopped', 'cancelled')),
    reason          TEXT NOT NULL,
    wave            INTEGER NOT NULL,
    waves           INTEGER NOT NULL,
    requested_by    TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    finished_at     INTEGER
  );
  CREATE INDEX upgrade_campaigns_created ON upgrade_campaigns(created_at);
  CREATE TABLE upgrade_nodes (
    campaign_id   TEXT NOT NULL REFERENCES upgrade_campaigns(id) ON DELETE CASCADE,
    node          TEXT NOT NULL,
    wave          INTEGER NOT NULL,
    position      INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'upgrading', 'done', 'failed', 'skipped')),
    step          TEXT,
    reason        TEXT NOT NULL,
    code          TEXT,
    from_version  TEXT,
    version       TEXT,
    started_at    INTEGER,
    deadline      INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, node)
  ) WITHOUT ROWID;
  `,
  // What a node found wrong in a push it rejected, each issue with its path.
  `
  ALTER TABLE config_pushes ADD COLUMN issues_json TEXT;
  `,
  `
  -- Who saw it: a node's own decision, or a fact the controller observed (presence, alerts, pushes).
  ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'node';
  CREATE INDEX events_kind_at ON events(kind, at);
  -- Each node's current boot as it last told it, to see it restart.
  CREATE TABLE node_boots (
    node      TEXT PRIMARY KEY,
    boot_id   TEXT,
    uptime_s  REAL,
    at        INTEGER NOT NULL
  );
  `,
  // The operator role (issue 12). SQLite cannot alter a CHECK, so users is rebuilt; sessions
  // reference it and are dropped with it (everyone logs in again after this upgrade).
  `
  DROP TABLE sessions;
  CREATE TABLE users_v6 (
    username       TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
  );
  INSERT INTO users_v6 SELECT username, role, password_hash, created_at FROM users;
  DROP TABLE users;
  ALTER TABLE users_v6 RENAME TO users;
  CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    username    TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL
  );
  CREATE INDEX sessions_username ON sessions(username);
  `,
  // Wi-Fi clients (issue 13): where each station is now, and every roam between access points.
  `
  CREATE TABLE clients (
    mac         TEXT PRIMARY KEY,
    node        TEXT NOT NULL,
    ssid        TEXT NOT NULL,
    vlan        INTEGER,
    iface       TEXT,
    signal_dbm  REAL,
    since       INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    associated  INTEGER NOT NULL,
    method      TEXT,
    roams       INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX clients_node ON clients(node);
  CREATE TABLE client_roams (
    id         INTEGER PRIMARY KEY,
    mac        TEXT NOT NULL,
    at         INTEGER NOT NULL,
    from_node  TEXT NOT NULL,
    to_node    TEXT NOT NULL,
    method     TEXT,
    gap_ms     REAL,
    -- 'node': a node said client-roamed; 'controller': derived from where the client showed up.
    source     TEXT NOT NULL
  );
  CREATE INDEX client_roams_mac_at ON client_roams(mac, at);
  CREATE INDEX client_roams_at ON client_roams(at);
  `,
  // Radio networks behind radio gateways (issue 14): what each gateway reports of each radio
  // node (one row per node and gateway: a node heard by two gateways is one node with two),
  // the node's status as the controller judges it, RTT history, messages and scan graphs.
  `
  CREATE TABLE radio_gateways (
    id          TEXT PRIMARY KEY,
    network     TEXT NOT NULL,
    address     INTEGER,
    online      INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
  );
  CREATE TABLE radio_nodes (
    network            TEXT NOT NULL,
    address            INTEGER NOT NULL,
    label              TEXT,
    status             TEXT NOT NULL CHECK (status IN ('reachable', 'unreachable')),
    first_seen         INTEGER NOT NULL,
    status_since       INTEGER NOT NULL,
    PRIMARY KEY (network, address)
  ) WITHOUT ROWID;
  CREATE TABLE radio_sightings (
    network       TEXT NOT NULL,
    address       INTEGER NOT NULL,
    gateway       TEXT NOT NULL,
    last_heard    INTEGER,
    hops          INTEGER,
    rtt_ms        REAL,
    rtt_at        INTEGER,
    link_quality  REAL,
    neighbours    TEXT NOT NULL DEFAULT '[]',
    reported_at   INTEGER NOT NULL,
    PRIMARY KEY (network, address, gateway)
  ) WITHOUT ROWID;
  CREATE TABLE radio_rtt (
    network   TEXT NOT NULL,
    address   INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    rtt_ms    REAL NOT NULL,
    gateway   TEXT NOT NULL
  );
  CREATE INDEX radio_rtt_node_at ON radio_rtt(network, address, at);
  CREATE TABLE radio_messages (
    id         INTEGER PRIMARY KEY,
    network    TEXT NOT NULL,
    address    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('from-node', 'to-node')),
    gateway    TEXT NOT NULL,
    bytes      BLOB NOT NULL
  );
  CREATE INDEX radio_messages_node ON radio_messages(network, address, id);
  CREATE TABLE radio_graphs (
    network    TEXT NOT NULL,
    gateway    TEXT NOT NULL,
    at         INTEGER NOT NULL,
    origin     INTEGER NOT NULL,
    nodes      TEXT NOT NULL,
    edges      TEXT NOT NULL,
    PRIMARY KEY (network, gateway)
  ) WITHOUT ROWID;
  `,
  // PostgreSQL's controller-cluster tables (postgres-schema.ts): one SQLite file has one
  // controller, so nothing here; the version stays in step with PostgreSQL's.
  `
  -- no change on SQLite
  `,
  // Failed logins as the store keeps them (store-login-throttle.ts): controllers sharing a
  // PostgreSQL database count them together. One SQLite file has one controller, whose memory
  // serves (login-throttle.ts); the table is the same so the two backends stay in step.
  `
  CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL CHECK (kind IN ('user', 'address')),
    key   TEXT NOT NULL,
    at    REAL NOT NULL
  );
  CREATE INDEX login_failures_key_at ON login_failures(kind, key, at);
  CREATE INDEX login_failures_at ON login_failures(at);
  `,
  // Live-feed tickets as the store keeps them (store-live-tickets.ts), for controllers sharing a
  // PostgreSQL database. One SQLite file has one controller, whose memory serves (live-tickets.ts);
  // the table is the same so the two backends stay in step.
  `
  CREATE TABLE live_tickets (
    ticket_hash TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL,
    session     TEXT,
    expires_at  REAL NOT NULL
  );
  CREATE INDEX live_tickets_expires ON live_tickets(expires_at);
  `,
];
