import type { SettingSpec } from '../core/settings.ts';

/** Where `taskwarden server` reads its config file from, when one is given. */
export const CONFIG_FLAG = '--config';
export const CONFIG_ENV = 'TASKWARDEN_CONFIG';

/**
 * Every setting of the server, one row each: its key in the config file (`--config FILE`,
 * YAML), its flag and its environment variable. A value is taken from the flag, else the
 * variable, else the file, else the default. The README's configuration table lists exactly
 * these rows (test/server/settings-doc.test.ts). Adding a setting is adding a row here and
 * reading it in resolveServerConfig (config.ts).
 */
// biome-ignore format: one row per setting, one line each
export const SERVER_SETTINGS: readonly SettingSpec[] = [
  { key: 'data', flag: '--data', env: 'TASKWARDEN_DATA', default: '`./taskwarden-data`', doc: 'data folder: SQLite database, `admin.token`, `server.json`, package files' },
  { key: 'db', flag: '--db', env: 'TASKWARDEN_DB', default: '`sqlite:<data>/taskwarden.db`', doc: 'database: `sqlite:FILE` or `postgres://user:pass@host/db`' },
  { key: 'host', flag: '--host', env: 'TASKWARDEN_HOST', default: '`127.0.0.1`', doc: 'address to listen on (`0.0.0.0`: every IPv4 interface)' },
  { key: 'port', flag: '--port', env: 'TASKWARDEN_PORT', default: '`8080`', doc: 'port to listen on (`0`: any free port)' },
  { key: 'tls.cert', flag: '--tls-cert', env: 'TASKWARDEN_TLS_CERT', default: 'none (plain HTTP)', doc: 'PEM certificate (chain) file: serve HTTPS; re-read on SIGHUP' },
  { key: 'tls.key', flag: '--tls-key', env: 'TASKWARDEN_TLS_KEY', default: 'none', doc: "PEM file of the certificate's private key; re-read on SIGHUP" },
  { key: 'trustProxy', flag: '--trust-proxy', env: 'TASKWARDEN_TRUST_PROXY', default: 'none', doc: 'reverse proxies whose `X-Forwarded-*` are believed: addresses, CIDRs, `loopback`…, or `true`' },
  { key: 'publicUrl', flag: '--public-url', env: 'TASKWARDEN_PUBLIC_URL', default: 'the URL a request came to', doc: 'URL agents and browsers reach the server at, for the agent setup lines of a new enrolment token' },
  { key: 'logLevel', flag: '--log-level', env: 'TASKWARDEN_LOG_LEVEL', default: '`info` (`warn` for the demo)', doc: '`fatal` `error` `warn` `info` `debug` `trace` `silent`; `info` logs a line per request, but an agent\'s calls that succeed only at `debug`' },
  { key: 'modules', env: 'TASKWARDEN_MODULES', default: 'none', doc: 'extra module packages: package names or paths to a package folder or module file, comma-separated (a YAML list in the file); see "Writing a module"' },
  { key: 'packageLimit', env: 'TASKWARDEN_PACKAGE_LIMIT', default: '`256M`', doc: 'largest package upload: bytes, or a number with K, M or G' },
  { key: 'fiPath', env: 'TASKWARDEN_FI_PATH', default: '`/plugins/fusioninventory/`', doc: 'where FusionInventory agents are served' },
  { key: 'catchUpRate', env: 'TASKWARDEN_CATCHUP_RATE', default: '`10`', doc: 'catch-up runs started per second at most after an outage' },
  { key: 'dbLockTimeout', env: 'TASKWARDEN_DB_LOCK_TIMEOUT', default: '`3s`', doc: "PostgreSQL: how long a write waits for another session's lock, then 503 `store_busy`, `/health` degraded" },
  { key: 'agentGrace', env: 'TASKWARDEN_AGENT_GRACE', default: '`60s`', doc: "how long past an agent job's timeout the server waits for the agent's own report before giving up on the attempt" },
  { key: 'webhooks.allow', env: 'TASKWARDEN_WEBHOOK_ALLOW', default: 'any host but loopback, link-local and metadata addresses', doc: 'where notification webhooks may go: hosts and CIDRs, comma-separated (a YAML list in the file)' },
  { key: 'smtp.host', env: 'TASKWARDEN_SMTP_HOST', default: 'none (no email)', doc: 'mail server for email channels' },
  { key: 'smtp.port', env: 'TASKWARDEN_SMTP_PORT', default: '`587` (`465` when secure)', doc: 'its port' },
  { key: 'smtp.secure', env: 'TASKWARDEN_SMTP_SECURE', default: '`false`', doc: '`true`: TLS from the start (else STARTTLS when offered)' },
  { key: 'smtp.user', env: 'TASKWARDEN_SMTP_USER', default: 'none', doc: 'user name to log in with' },
  { key: 'smtp.passwordFile', env: 'TASKWARDEN_SMTP_PASSWORD_FILE', default: 'none', doc: "file holding the mail server's password" },
  { key: 'smtp.from', env: 'TASKWARDEN_SMTP_FROM', default: '`taskwarden@<hostname>`', doc: 'sender address of the messages' },
  { key: 'notify.digest', env: 'TASKWARDEN_NOTIFY_DIGEST', default: '`1m`', doc: 'at most one message per channel in this window; events in between are merged' },
  { key: 'notify.retry', env: 'TASKWARDEN_NOTIFY_RETRY', default: '`10s`', doc: 'first wait before a failed delivery is tried again (×3 each time, for 24 h)' },
  { key: 'headersTimeout', env: 'TASKWARDEN_HEADERS_TIMEOUT', default: '`10s`', doc: 'request line and headers must arrive within this, or the socket closes' },
  { key: 'bodyTimeout', env: 'TASKWARDEN_BODY_TIMEOUT', default: '`20s`', doc: 'a body must arrive within this after the headers' },
  { key: 'uploadTimeout', env: 'TASKWARDEN_UPLOAD_TIMEOUT', default: '`10m`', doc: 'the same for package uploads and FusionInventory messages (authenticated)' },
  { key: 'maxConnectionsPerAddress', env: 'TASKWARDEN_MAX_CONNECTIONS_PER_ADDRESS', default: 'a quarter of the open-file limit (at least `64`)', doc: 'open connections per client address (IPv6: per /64); `0` = no cap' },
  { key: 'maxEventStreamsPerUser', env: 'TASKWARDEN_MAX_EVENT_STREAMS_PER_USER', default: '`8`', doc: 'open `/api/v1/events` streams per user (browser tabs)' },
  { key: 'loginAttemptsPerAddress', env: 'TASKWARDEN_LOGIN_ATTEMPTS_PER_ADDRESS', default: '`20`', doc: 'login attempts per address per minute' },
  { key: 'loginFailuresPerName', env: 'TASKWARDEN_LOGIN_FAILURES_PER_NAME', default: '`5`', doc: 'failed logins per user name in 15 min, then the name is locked' },
  { key: 'jsonMaxDepth', env: 'TASKWARDEN_JSON_MAX_DEPTH', default: '`64`', doc: 'nesting of lists and objects in a JSON body (deeper: 400)' },
];
