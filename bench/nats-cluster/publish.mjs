// Publishes events to a JetStream stream and times the acknowledgements:
// one at a time (each publish waits for its ack) and pipelined (WINDOW in
// flight, as the outbox relay publishes). Prints one JSON line.
//   node publish.mjs SERVERS REPLICAS COUNT   (run by bench/nats-cluster/run)
import { connect, headers } from "nats";

const [servers, replicas, count] = [process.argv[2].split(","), +process.argv[3], +process.argv[4]];
const WINDOW = 256;
const nc = await connect({ servers });
const jsm = await nc.jetstreamManager();
const name = `BENCH_R${replicas}`;
await jsm.streams.add({ name, subjects: [`bench.r${replicas}.>`], num_replicas: replicas,
  storage: "file", duplicate_window: 600e9 });
const js = nc.jetstream();
const body = new TextEncoder().encode(JSON.stringify({ specversion: "1.0", id: "x".repeat(36),
  source: "/ibcnet/catalog", type: "ibcnet.catalog.record.created",
  time: new Date().toISOString(), data: { id: "y".repeat(36), title: "z".repeat(400) } }));
let seq = 0;
const publish = () => {
  const h = headers();
  h.set("Nats-Msg-Id", `m${seq}`);
  return js.publish(`bench.r${replicas}.e${seq++ % 16}`, body, { headers: h });
};

const lat = [];
let t0 = performance.now();
for (let i = 0; i < count; i++) {
  const t = performance.now();
  await publish();
  lat.push(performance.now() - t);
}
const syncRate = count / ((performance.now() - t0) / 1000);
lat.sort((a, b) => a - b);

t0 = performance.now();
const inflight = new Set();
for (let i = 0; i < count; i++) {
  const p = publish().finally(() => inflight.delete(p));
  inflight.add(p);
  if (inflight.size >= WINDOW) await Promise.race(inflight);
}
await Promise.all(inflight);
const pipeRate = count / ((performance.now() - t0) / 1000);
const si = await jsm.streams.info(name);
console.log(JSON.stringify({ replicas, count, stored: si.state.messages,
  one_at_a_time_per_s: Math.round(syncRate), ack_p50_ms: +lat[count >> 1].toFixed(2),
  ack_p99_ms: +lat[Math.floor(count * 0.99)].toFixed(2), pipelined_per_s: Math.round(pipeRate) }));
await nc.close();
