// Who may say and hear what on the bus (deploy/nats.conf), tried with a real
// client against the test stack: the integrator sees no reply, sends no
// command and touches no service's consumer, but replays events with its own
// durable; a service publishes only its own events and hears only its own
// replies; the Z39.50 server asks records.find and nothing else. Reads the
// URLs from the env file of the stack in IBC_TEST_RUN_DIR
// (tests/integration/stack-fixture writes the services' URLs there).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { connect, AckPolicy, DeliverPolicy, StringCodec } from "nats";

const sc = StringCodec();
const env = Object.fromEntries(
  readFileSync(`${process.env.IBC_TEST_RUN_DIR ?? "../build/.run-test"}/env`, "utf8")
    .split("\n")
    .filter((l) => l.includes("="))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).replace(/^"|"$/g, "")]),
);

const STREAM = "IBC_EVENTS";
const SERVICE_DURABLE = "catalog-ibc_evt_circulation_loan_all"; // shared/src/consumer.c
const PERMISSION = /Permissions Violation/;

// connects with a URL that holds user and password, and the inbox prefix
function connectTo(href, inboxPrefix) {
  const url = new URL(href);
  return connect({ servers: `${url.hostname}:${url.port}`, user: decodeURIComponent(url.username),
                   pass: decodeURIComponent(url.password), inboxPrefix, timeout: 5000 });
}

// connects as the default integrator or as a service, with its own inbox prefix
function as(user) {
  return user === "integrator"
    ? connectTo(env.IBC_NATS_INTEGRATOR_URL, env.IBC_NATS_INTEGRATOR_INBOX_PREFIX)
    : connectTo(env[`IBC_NATS_${user.toUpperCase()}_URL`], `_INBOX_${user}`);
}

// resolves with the error the server sends for a subscription, or null when
// it stays silent for ms (then the subscription was accepted)
function subscribeError(nc, subject, ms = 1500) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    nc.subscribe(subject, { callback: (err) => { if (err) { clearTimeout(timer); resolve(err); } } });
  });
}

async function gateway(method, path, body) {
  const r = await fetch(env.IBC_GATEWAY_URL + path, {
    method, body: body && JSON.stringify(body),
    headers: { Authorization: `Bearer ${env.IBC_ADMIN_KEY}`, "Content-Type": "application/json" },
  });
  return { status: r.status, json: await r.json() };
}

test("the integrator cannot subscribe to the services' replies", async () => {
  const nc = await as("integrator");
  try {
    const err = await subscribeError(nc, "_INBOX.>");
    assert.match(String(err?.message), PERMISSION);
    for (const s of ["_INBOX_gateway.>", "_INBOX_circulation.>", "ibc.rpc.>"])
      assert.match(String((await subscribeError(nc, s))?.message), PERMISSION, s);
  } finally { await nc.close(); }
});

test("the integrator cannot send a command to a service", async () => {
  const nc = await as("integrator");
  try {
    await assert.rejects(nc.request("ibc.rpc.catalog.records.search", sc.encode("{}"), { timeout: 2000 }),
                         PERMISSION);
  } finally { await nc.close(); }
});

test("the integrator cannot list, read, delete, drain or acknowledge a service's consumer", async () => {
  const svc = await as("catalog");
  const nc = await as("integrator");
  try {
    const sjsm = await svc.jetstreamManager({ checkAPI: false }); // services have no $JS.API.INFO
    const before = await sjsm.consumers.info(STREAM, SERVICE_DURABLE); // it exists
    const jsm = await nc.jetstreamManager();
    await assert.rejects(jsm.consumers.list(STREAM).next(), PERMISSION);
    await assert.rejects(jsm.consumers.info(STREAM, SERVICE_DURABLE), PERMISSION);
    await assert.rejects(jsm.consumers.delete(STREAM, SERVICE_DURABLE), PERMISSION);
    await assert.rejects(nc.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.${SERVICE_DURABLE}`,
                                    sc.encode('{"batch":1}'), { timeout: 2000 }), PERMISSION);
    await assert.rejects(nc.request(`$JS.ACK.${STREAM}.${SERVICE_DURABLE}.1.1.1.1.0`, sc.encode("+ACK"),
                                    { timeout: 2000 }), PERMISSION);
    // and another integrator's name is as closed as a service's
    await assert.rejects(jsm.consumers.add(STREAM, { durable_name: "someoneelse",
                                                     ack_policy: AckPolicy.Explicit }), PERMISSION);
    const after = await sjsm.consumers.info(STREAM, SERVICE_DURABLE);
    assert.equal(after.name, before.name);
    assert.ok(after.delivered.stream_seq >= before.delivered.stream_seq);
  } finally { await nc.close(); await svc.close(); }
});

test("the integrator creates its own durable and replays an event caused through the gateway", async () => {
  const nc = await as("integrator");
  const name = env.IBC_NATS_INTEGRATOR_CONSUMERS.split(" ")[0];
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.delete(STREAM, name).catch(() => {});
    const since = new Date(Date.now() - 1000).toISOString();
    const made = await gateway("POST", "/api/v1/catalog/records",
                               { type: "book", title: "Проверка прав NATS", year: 2020 });
    assert.equal(made.status, 201);
    await jsm.consumers.add(STREAM, { durable_name: name, ack_policy: AckPolicy.Explicit,
                                      deliver_policy: DeliverPolicy.StartTime, opt_start_time: since,
                                      filter_subject: "ibc.evt.catalog.record.>" });
    const js = nc.jetstream();
    const consumer = await js.consumers.get(STREAM, name);
    let found = null;
    for (let i = 0; i < 50 && !found; i++) {
      const m = await consumer.next({ expires: 1000 });
      if (!m) continue;
      const ev = JSON.parse(sc.decode(m.data));
      assert.ok(await m.ackAck(), "the integrator acknowledges its own messages");
      if (ev.subject === made.json.id) found = { subject: m.subject, ev };
    }
    assert.ok(found, "the created record's event was replayed");
    assert.equal(found.subject, "ibc.evt.catalog.record.created");
    assert.equal(found.ev.type, "ibcnet.catalog.record.created");
    const info = await jsm.consumers.info(STREAM, name);
    assert.equal(info.num_ack_pending, 0);
  } finally { await nc.close(); }
});

test("a service cannot publish another service's events", async () => {
  const nc = await as("training");
  try {
    const js = nc.jetstream();
    await assert.rejects(js.publish("ibc.evt.catalog.record.created", sc.encode("{}")), PERMISSION);
    await assert.rejects(js.publish("ibc.evt.circulation.loan.created", sc.encode("{}")), PERMISSION);
    // and cannot touch the stream beyond info/create/update
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    await assert.rejects(jsm.streams.purge(STREAM), PERMISSION);
    await assert.rejects(jsm.streams.delete(STREAM), PERMISSION);
  } finally { await nc.close(); }
});

test("only the gateway and the named service-to-service calls may send commands", async () => {
  const training = await as("training");
  const circulation = await as("circulation");
  try {
    await assert.rejects(training.request("ibc.rpc.catalog.items.lookup", sc.encode("{}"), { timeout: 2000 }),
                         PERMISSION);
    await assert.rejects(circulation.request("ibc.rpc.catalog.records.create", sc.encode("{}"),
                                             { timeout: 2000 }), PERMISSION);
    // the copies resent to every replica are the gateway's alone
    await assert.rejects(circulation.request("ibc.rpcall.catalog.items.lookup", sc.encode("{}"),
                                             { timeout: 2000 }), PERMISSION);
    // circulation's own call is allowed, and its reply comes back to its inbox
    const reply = await circulation.request("ibc.rpc.catalog.items.lookup",
                                            sc.encode('{"params":{"barcode":"no-such-barcode"}}'),
                                            { timeout: 5000 });
    assert.ok(typeof JSON.parse(sc.decode(reply.data)).status === "number");
    // a write-off's withdrawal of copies in circulation is the catalog's call
    // alone: no other service, nor circulation itself, may send it
    for (const [who, nc] of [["training", training], ["circulation", circulation]])
      await assert.rejects(nc.request("ibc.rpc.circulation.items.withdraw", sc.encode("{}"),
                                      { timeout: 2000 }), PERMISSION, who);
    const catalog = await as("catalog");
    try {
      // the catalog may send it; unsigned, as here, it is refused by the service
      const r = await catalog.request("ibc.rpc.circulation.items.withdraw", sc.encode("{}"),
                                      { timeout: 5000 });
      assert.equal(JSON.parse(sc.decode(r.data)).status, 401);
    } finally { await catalog.close(); }
  } finally { await training.close(); await circulation.close(); }
});

test("a service's reply is not visible to another service's user", async () => {
  const training = await as("training");
  const circulation = await as("circulation");
  try {
    for (const s of ["_INBOX.>", "_INBOX_gateway.>", "_INBOX_circulation.>", "ibc.rpc.catalog.>",
                     "ibc.rpcall.catalog.>", ">"])
      assert.match(String((await subscribeError(training, s, 1000))?.message), PERMISSION, s);
    // a subscription it may make is accepted: the check above can fail
    assert.equal(await subscribeError(training, "_INBOX_training.x", 500), null);
    assert.equal(await subscribeError(circulation, "_INBOX_circulation.x", 500), null);
  } finally { await training.close(); await circulation.close(); }
});

test("the admin command adds an integrator at once, confined to its own consumers", async () => {
  const fixture = process.env.IBC_TEST_FIXTURE;
  assert.ok(fixture, "IBC_TEST_FIXTURE names tests/integration/stack-fixture");
  const name = `acme${process.pid}`;
  const out = execFileSync(fixture, ["integrator", process.env.IBC_TEST_RUN_DIR,
                                     process.env.IBC_TEST_BIN_DIR ?? "", name, "audit"], { encoding: "utf8" });
  const vars = Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")),
                                                                      l.slice(l.indexOf("=") + 1).replace(/^"|"$/g, "")]));
  assert.equal(vars.IBC_NATS_INTEGRATOR_CONSUMERS, `${name} ${name}_audit`);
  const url = vars.IBC_NATS_INTEGRATOR_URL;
  assert.ok(url, out);
  // nats-server reloads in the background: retry the first connect briefly
  let nc = null;
  for (let i = 0; i < 20 && !nc; i++)
    nc = await connectTo(url, vars.IBC_NATS_INTEGRATOR_INBOX_PREFIX).catch(() => new Promise((r) => setTimeout(() => r(null), 100)));
  assert.ok(nc, "the new integrator connects");
  try {
    const jsm = await nc.jetstreamManager();
    const ci = await jsm.consumers.add(STREAM, { durable_name: `${name}_audit`, ack_policy: AckPolicy.Explicit });
    assert.equal(ci.name, `${name}_audit`);
    await jsm.consumers.delete(STREAM, `${name}_audit`);
    // not the default integrator's consumer, nor a reply
    const other = env.IBC_NATS_INTEGRATOR_CONSUMERS.split(" ")[0];
    await assert.rejects(jsm.consumers.info(STREAM, other), PERMISSION);
    assert.match(String((await subscribeError(nc, `${env.IBC_NATS_INTEGRATOR_INBOX_PREFIX}.>`))?.message), PERMISSION);
  } finally { await nc.close(); }
  // the old password no longer works after the name is renewed
  execFileSync(fixture, ["integrator", process.env.IBC_TEST_RUN_DIR, "", name]);
  let refused = false;
  for (let i = 0; i < 20 && !refused; i++) {
    refused = await connectTo(url).then((c) => c.close().then(() => false), () => true);
    if (!refused) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(refused, "a renewed integrator's old password is refused");
  // and a revoked one cannot connect at all
  execFileSync(fixture, ["revoke-integrator", process.env.IBC_TEST_RUN_DIR, "", name]);
  assert.doesNotMatch(readFileSync(`${process.env.IBC_TEST_RUN_DIR}/nats/integrators.conf`, "utf8"),
                      new RegExp(`user: ${name},`));
});

test("a bad integrator name is refused by the admin command", () => {
  const fixture = process.env.IBC_TEST_FIXTURE;
  for (const bad of ["A", "x", "acme-1", "acme.x", "acme x", "$G", "../etc", "1acme"]) {
    assert.throws(() => execFileSync(fixture, ["integrator", process.env.IBC_TEST_RUN_DIR, "", bad],
                                     { stdio: "pipe" }), undefined, bad);
  }
  assert.doesNotMatch(readFileSync(`${process.env.IBC_TEST_RUN_DIR}/nats/integrators.conf`, "utf8"), /acme-1|\$G|\.\./);
});

test("the event stream has the configured limits, restored on an existing stream at start", async () => {
  const DAY_NS = 86400n * 1000000000n;
  const nc = await as("catalog");
  const fixture = process.env.IBC_TEST_FIXTURE;
  try {
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const { config } = await jsm.streams.info(STREAM);
    assert.equal(BigInt(config.max_age), 30n * DAY_NS); // IBC_EVENTS_MAX_AGE_DAYS
    assert.equal(config.max_bytes, 4 * 1024 ** 3); // IBC_EVENTS_MAX_BYTES
    assert.equal(config.discard, "old");
    // an operator or an older version left other limits: the next start fixes them
    await jsm.streams.update(STREAM, { ...config, max_age: Number(DAY_NS), max_bytes: -1 });
    execFileSync(fixture, ["stop", process.env.IBC_TEST_RUN_DIR, "", "training"]);
    execFileSync(fixture, ["start", process.env.IBC_TEST_RUN_DIR, "", "training"]);
    let after = null;
    for (let i = 0; i < 100; i++) {
      after = (await jsm.streams.info(STREAM)).config;
      if (after.max_bytes === 4 * 1024 ** 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(BigInt(after.max_age), 30n * DAY_NS);
    assert.equal(after.max_bytes, 4 * 1024 ** 3);
  } finally { await nc.close(); }
});

test("the operator's tools see the service API and JetStream's state, not the traffic", async () => {
  const nc = await connectTo(env.IBC_NATS_OPERATOR_URL, "_INBOX_operator");
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.consumers.info(STREAM, SERVICE_DURABLE); // lag, for an operator
    assert.equal(info.name, SERVICE_DURABLE);
    await assert.rejects(jsm.consumers.delete(STREAM, SERVICE_DURABLE), PERMISSION);
    await assert.rejects(jsm.streams.getMessage(STREAM, { seq: 1 }), PERMISSION);
    await assert.rejects(nc.request("ibc.rpc.catalog.records.search", sc.encode("{}"), { timeout: 2000 }),
                         PERMISSION);
    for (const s of ["_INBOX_gateway.>", "ibc.evt.>", "ibc.rpc.>"])
      assert.match(String((await subscribeError(nc, s, 1000))?.message), PERMISSION, s);
  } finally { await nc.close(); }
});

test("no log of the stack holds a NATS password", () => {
  const run = process.env.IBC_TEST_RUN_DIR;
  const secrets = readFileSync(`${run}/nats.secrets`, "utf8").split("\n")
    .filter((l) => l.includes("=")).map((l) => l.slice(l.indexOf("=") + 1));
  for (const l of readFileSync(`${run}/nats/integrators.list`, "utf8").split("\n"))
    if (l.trim()) secrets.push(l.split(" ")[1]);
  assert.ok(secrets.length >= 8, "every process's password and the integrators' were read");
  const logs = ["nats.log", "migrate.log", ...readdirSync(`${run}/logs`).map((f) => `logs/${f}`)];
  for (const f of logs) {
    const text = readFileSync(`${run}/${f}`, "utf8");
    for (const s of secrets) assert.ok(!text.includes(s), `${f} holds a NATS password`);
  }
});

test("the Z39.50 server's user may ask records.find and nothing else", async () => {
  const nc = await as("z3950");
  try {
    // allowed: the catalog answers (401: the request is not signed)
    const ok = await nc.request("ibc.rpc.catalog.records.find", sc.encode('{"params":{},"body":{}}'),
                                { timeout: 5000 });
    assert.equal(JSON.parse(sc.decode(ok.data)).status, 401);
    // not allowed: the catalog would answer 401 too, so no answer means refused
    await assert.rejects(nc.request("ibc.rpc.catalog.records.create", sc.encode("{}"),
                                    { timeout: 1500 }));
    for (const s of ["_INBOX_gateway.>", "_INBOX_catalog.>", "ibc.rpc.>", "ibc.evt.>"])
      assert.match(String((await subscribeError(nc, s, 1000))?.message), PERMISSION, s);
    assert.equal(await subscribeError(nc, "_INBOX_z3950.x", 500), null);
  } finally { await nc.close(); }
});
