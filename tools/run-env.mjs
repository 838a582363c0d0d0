// The env file of a running stack (.run/env, or the test stack's run dir
// named by IBC_TEST_RUN_DIR), read as KEY=VALUE lines, and NATS connection
// options from a nats://user:password@host:port URL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function readRunEnv(dir = process.env.IBC_TEST_RUN_DIR || '.run') {
  const env = {};
  for (const line of readFileSync(join(dir, 'env'), 'utf8').split('\n')) {
    const m = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (m) env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return env;
}

// Every NATS user's replies come to its own inbox prefix _INBOX_<user>
// (deploy/nats.conf): the only inbox it may subscribe to.
export function natsOptions(url) {
  const u = new URL(url);
  const opts = { servers: `${u.hostname}:${u.port}` };
  if (u.username) {
    opts.user = decodeURIComponent(u.username);
    opts.inboxPrefix = `_INBOX_${opts.user}`;
  }
  if (u.password) opts.pass = decodeURIComponent(u.password);
  return opts;
}
