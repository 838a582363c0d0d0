// Operators' view of the services through the NATS service API, asked with
// nats.js's own services client (a client we did not write): every service
// answers $SRV.PING, $SRV.INFO lists its endpoints, and $SRV.STATS counts a
// request that went through the gateway.
// Run by CTest on the integration stack: IBC_TEST_RUN_DIR names its run dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRunEnv, natsOptions } from './run-env.mjs';
import { connect } from 'nats';

const env = readRunEnv();
const services = ['catalog', 'circulation', 'training', 'grants', 'monitoring'];

async function all(iterator) {
  const out = [];
  for await (const item of await iterator) out.push(item);
  return out;
}

test('every service answers the NATS service API', async (t) => {
  const nc = await connect(natsOptions(env.IBC_NATS_OPERATOR_URL));
  t.after(() => nc.close());
  const client = nc.services.client({ strategy: 'timer', maxWait: 1500 });

  const pings = await all(client.ping());
  for (const name of services) {
    assert.ok(pings.some((p) => p.name === name), `no PING answer from ${name}`);
  }
  for (const p of pings) assert.match(p.version, /^\d+\.\d+\.\d+/);

  const [info] = await all(client.info('catalog'));
  assert.equal(info.type, 'io.nats.micro.v1.info_response');
  const get = info.endpoints.find((e) => e.name === 'records.get');
  assert.ok(get, 'catalog lists records.get');
  assert.equal(get.subject, 'ibc.rpc.catalog.records.get');
  assert.equal(get.queue_group, 'catalog');

  const count = async () => {
    const stats = await all(client.stats('catalog'));
    return stats.reduce((n, s) => n + s.endpoints.find((e) => e.name === 'records.get').num_requests, 0);
  };
  const before = await count();
  const missing = '00000000-0000-4000-8000-000000000000';
  const r = await fetch(`${env.IBC_GATEWAY_URL}/api/v1/catalog/records/${missing}`, {
    headers: { Authorization: `Bearer ${env.IBC_ADMIN_KEY}` },
  });
  assert.equal(r.status, 404);
  assert.equal(await count(), before + 1, 'STATS counts the request');
});
