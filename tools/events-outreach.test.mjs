// The events of grant programmes, survey campaigns, reading promotions and
// partnerships, heard as an integrator hears them: its own NATS user and
// durable consumer on IBC_EVENTS. Each change made through the gateway
// yields exactly one event with its subject and payload; a refused change
// (stale If-Match, closing a closed campaign, deleting twice) and a change
// whose transaction rolled back at COMMIT (a trigger on the outbox raises)
// yield none. Run by CTest on the test stack (IBC_TEST_RUN_DIR).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { connect, AckPolicy, DeliverPolicy, StringCodec } from "nats";
import { readRunEnv } from "./run-env.mjs";

const sc = StringCodec();
const env = readRunEnv();
const STREAM = "IBC_EVENTS";
const name = `evt${process.pid}`;
let nc, consumer;

function run(args) {
  return execFileSync(process.env.IBC_TEST_FIXTURE, args, { encoding: "utf8" });
}

async function gateway(method, path, body, headers = {}) {
  const r = await fetch(env.IBC_GATEWAY_URL + path, {
    method, body: body && JSON.stringify(body),
    headers: { Authorization: `Bearer ${env.IBC_ADMIN_KEY}`, "Content-Type": "application/json",
               ...headers },
  });
  const text = await r.text();
  return { status: r.status, etag: r.headers.get("etag"), json: text ? JSON.parse(text) : null };
}

// runs SQL as the cluster's admin (the test installs and removes a trigger)
function sql(text) {
  const dsn = env.IBC_PG_DSN;
  return execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", dsn, "-c", text],
                      { encoding: "utf8" });
}

// every event the consumer holds: waits (up to 20 s) until `enough` says the
// awaited ones came, then for two quiet seconds more, to catch any extra one
async function drain(enough = () => true) {
  const out = [];
  const until = Date.now() + 20000;
  for (let idle = 0; idle < 2 && Date.now() < until;) {
    const m = await consumer.next({ expires: 1000 });
    if (!m) { if (enough(out)) idle++; continue; }
    idle = 0;
    out.push({ subject: m.subject, ev: JSON.parse(sc.decode(m.data)) });
    m.ack();
  }
  return out;
}

// waits for `n` events about each of `ids`
const forEach = (n, ...ids) => (out) => ids.every((id) => about(out, id).length >= n);

function about(events, id) {
  return events.filter((e) => e.ev.subject === id);
}

// the one event of `id`, asserted to be on `subject` with the CloudEvent frame
function only(events, id, subject) {
  const mine = about(events, id);
  assert.equal(mine.length, 1, `${subject} of ${id}: ${JSON.stringify(mine.map((e) => e.subject))}`);
  const { subject: s, ev } = mine[0];
  assert.equal(s, subject);
  assert.equal(ev.type, subject.replace(/^ibc\.evt\./, "ibcnet."));
  assert.equal(ev.source, `/ibcnet/${subject.split(".")[2]}`);
  assert.equal(ev.specversion, "1.0");
  assert.equal(ev.data.id, id);
  return ev.data;
}

before(async () => {
  const out = run(["integrator", process.env.IBC_TEST_RUN_DIR, process.env.IBC_TEST_BIN_DIR ?? "",
                   name]);
  const url = new URL(out.match(/IBC_NATS_INTEGRATOR_URL=(\S+)/)[1]);
  const opts = { servers: `${url.hostname}:${url.port}`, user: name,
                 pass: decodeURIComponent(url.password), inboxPrefix: `_INBOX_${name}` };
  for (let i = 0; i < 50 && !nc; i++) // the server reloads its users after the HUP
    nc = await connect(opts).catch(() => new Promise((r) => setTimeout(r, 100)));
  assert.ok(nc, "the new integrator connects");
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(STREAM, { durable_name: name, ack_policy: AckPolicy.Explicit,
                                    deliver_policy: DeliverPolicy.New,
                                    filter_subject: "ibc.evt.>" });
  consumer = await nc.jetstream().consumers.get(STREAM, name);
});

after(async () => {
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.delete(STREAM, name).catch(() => {});
  await nc.close();
  run(["revoke-integrator", process.env.IBC_TEST_RUN_DIR, "", name]);
});

test("grant programmes: created and updated, once each, naming the changed fields", async () => {
  const body = { funder: "Фонд президентских грантов", level: "federal", title: "Читающая школа",
                 deadline: "2031-03-01", amount_min: 100000, amount_max: 500000 };
  const made = await gateway("POST", "/api/v1/grants/programmes", body);
  assert.equal(made.status, 201);
  const id = made.json.id;
  const put = await gateway("PUT", `/api/v1/grants/programmes/${id}`,
                            { ...body, title: "Читающая школа 2031", amount_max: 600000 },
                            { "If-Match": made.etag });
  assert.equal(put.status, 200);
  // refused: a stale If-Match, and a bad body
  const stale = await gateway("PUT", `/api/v1/grants/programmes/${id}`, body,
                              { "If-Match": made.etag });
  assert.equal(stale.status, 412);
  const bad = await gateway("PUT", `/api/v1/grants/programmes/${id}`,
                            { ...body, amount_min: -5 }, { "If-Match": put.etag });
  assert.equal(bad.status, 400);

  const events = await drain(forEach(2, id));
  const ids = about(events, id).map((e) => e.subject);
  assert.deepEqual(ids, ["ibc.evt.grants.programme.created", "ibc.evt.grants.programme.updated"]);
  const created = events.find((e) => e.ev.subject === id).ev.data;
  assert.equal(created.level, "federal");
  assert.equal(created.version, 1);
  assert.ok(created.changed.includes("title") && !created.changed.includes("version"));
  const updated = events.filter((e) => e.ev.subject === id)[1].ev.data;
  assert.equal(updated.version, 2);
  assert.deepEqual(updated.changed.sort(), ["amount_max", "title"]);
  assert.equal(JSON.stringify(updated).includes("Читающая"), false, "names, not values");
});

test("survey campaigns: opened and closed once; closing again yields nothing", async () => {
  const made = await gateway("POST", "/api/v1/monitoring/campaigns", {
    title: "Мониторинг событий", period: "2026-Q4",
    questions: [{ code: "visits", text: "Посещений", kind: "number", min: 0 }] });
  assert.equal(made.status, 201);
  const id = made.json.id;
  assert.equal((await gateway("POST", `/api/v1/monitoring/campaigns/${id}/close`)).status, 200);
  assert.equal((await gateway("POST", `/api/v1/monitoring/campaigns/${id}/close`)).status, 409);

  const events = await drain(forEach(2, id));
  assert.deepEqual(about(events, id).map((e) => e.subject),
                   ["ibc.evt.monitoring.campaign.created", "ibc.evt.monitoring.campaign.closed"]);
  const [opened, closed] = about(events, id).map((e) => e.ev.data);
  assert.deepEqual(opened, { id, period: "2026-Q4", deadline: null, status: "open",
                             closed_at: null, questions: 1 });
  assert.equal(closed.status, "closed");
  assert.ok(closed.closed_at);
  assert.equal("title" in closed, false);
});

async function newSchool() {
  const id = `evt-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const r = await gateway("POST", "/api/v1/monitoring/schools",
                          { id, name: `Школа ${id}`, kind: "school" });
  assert.equal(r.status, 201);
  return id;
}

test("reading promotions and partnerships: created and deleted once each", async () => {
  const school = await newSchool();
  const promo = await gateway("POST", "/api/v1/monitoring/promotions", {
    school, campaign: "Я читаю", held_on: "2026-10-01", participants: 42,
    description: "Громкие чтения, ведущая Иванова" });
  assert.equal(promo.status, 201);
  const deal = await gateway("POST", "/api/v1/monitoring/partnerships", {
    school, partner: "ЦГБ им. Пушкина", signed_on: "2026-09-01", valid_until: "2027-08-31",
    subject: "совместные чтения" });
  assert.equal(deal.status, 201);
  for (const path of [`promotions/${promo.json.id}`, `partnerships/${deal.json.id}`]) {
    assert.equal((await gateway("DELETE", `/api/v1/monitoring/${path}`)).status, 204);
    assert.equal((await gateway("DELETE", `/api/v1/monitoring/${path}`)).status, 404);
  }
  // refused: a promotion still to come
  const future = await gateway("POST", "/api/v1/monitoring/promotions",
                               { school, campaign: "x", held_on: "2099-01-01", participants: 1 });
  assert.equal(future.status, 400);

  const events = await drain(forEach(2, promo.json.id, deal.json.id));
  assert.deepEqual(about(events, promo.json.id).map((e) => e.subject),
                   ["ibc.evt.monitoring.promotion.created", "ibc.evt.monitoring.promotion.deleted"]);
  assert.deepEqual(about(events, deal.json.id).map((e) => e.subject),
                   ["ibc.evt.monitoring.partnership.created",
                    "ibc.evt.monitoring.partnership.deleted"]);
  for (const e of about(events, promo.json.id))
    assert.deepEqual(e.ev.data, { id: promo.json.id, school, campaign: "Я читаю",
                                  held_on: "2026-10-01", participants: 42 });
  for (const e of about(events, deal.json.id))
    assert.deepEqual(e.ev.data, { id: deal.json.id, school, signed_on: "2026-09-01",
                                  valid_until: "2027-08-31" });
  const text = JSON.stringify(events);
  assert.equal(text.includes("Иванова") || text.includes("Пушкина"), false, "no names in events");
  assert.equal(events.some((e) => e.subject.endsWith(".promotion.created") &&
                                  e.ev.data.held_on === "2099-01-01"), false);
});

// a trigger on the service's outbox fails the COMMIT's INSERT of the event
// for `id`: the change and its event roll back together
async function withFailingOutbox(schema, id, fn) {
  sql(`CREATE FUNCTION ${schema}.evt_test_fail() RETURNS trigger LANGUAGE plpgsql AS
       $$BEGIN RAISE EXCEPTION USING ERRCODE = 'disk_full', MESSAGE = 'test: the outbox refuses this event'; END$$;
       CREATE TRIGGER evt_test_fail BEFORE INSERT ON ${schema}.outbox FOR EACH ROW
       WHEN (NEW.subject_id = '${id}') EXECUTE FUNCTION ${schema}.evt_test_fail();`);
  try { await fn(); } finally {
    sql(`DROP TRIGGER evt_test_fail ON ${schema}.outbox; DROP FUNCTION ${schema}.evt_test_fail();`);
  }
}

test("a change whose transaction rolls back yields no event and leaves no change", async () => {
  const body = { funder: "Фонд", level: "regional", title: "Откат", deadline: "2031-05-01",
                 amount_min: 1, amount_max: 2 };
  const made = await gateway("POST", "/api/v1/grants/programmes", body);
  assert.equal(made.status, 201);
  const id = made.json.id;
  const school = await newSchool();
  const promo = await gateway("POST", "/api/v1/monitoring/promotions",
                              { school, campaign: "Откат", held_on: "2026-10-02", participants: 3 });
  assert.equal(promo.status, 201);
  await drain(forEach(1, id, promo.json.id)); // the two created events

  await withFailingOutbox("grants", id, async () => {
    const put = await gateway("PUT", `/api/v1/grants/programmes/${id}`, { ...body, title: "Изменено" },
                              { "If-Match": made.etag });
    assert.ok(put.status >= 500, `a failed COMMIT is a server error, got ${put.status}`);
  });
  await withFailingOutbox("monitoring", promo.json.id, async () => {
    const del = await gateway("DELETE", `/api/v1/monitoring/promotions/${promo.json.id}`);
    assert.ok(del.status >= 500, `got ${del.status}`);
  });
  const events = await drain();
  assert.deepEqual(about(events, id), []);
  assert.deepEqual(about(events, promo.json.id), []);
  const now = await gateway("GET", `/api/v1/grants/programmes/${id}`);
  assert.equal(now.json.title, "Откат");
  assert.equal(now.json.version, 1);
  const list = await gateway("GET", `/api/v1/monitoring/promotions?school=${school}`);
  assert.deepEqual(list.json.items.map((p) => p.id), [promo.json.id], "the delete rolled back");
  // and once the outbox accepts again, the same change yields its one event
  const put = await gateway("PUT", `/api/v1/grants/programmes/${id}`, { ...body, title: "Изменено" },
                            { "If-Match": made.etag });
  assert.equal(put.status, 200);
  assert.deepEqual(only(await drain(forEach(1, id)), id, "ibc.evt.grants.programme.updated").changed,
                   ["title"]);
});
