// `npm run bench:kv`: what Merkle anti-entropy costs against a full-state exchange, and how push, pull and push-pull converge.
// Runs the reference node's core on the simulator (virtual clock, 1 ms links): exact byte counts and rounds, repeatable.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { NodeConfig } from "../../specs/node/config.js";
import { SimCluster } from "../../reference-node/sim/cluster.js";
import type { KvEntry } from "../../specs/wire/messages.js";

const args = await yargs(hideBin(process.argv))
  .option("keys", { type: "number", default: 10_000 })
  .option("differing", { type: "number", default: 10 })
  .option("seeds", { type: "number", default: 5, describe: "runs per convergence cell (median reported)" })
  .strict()
  .parseAsync();
const out = (line: string) => process.stdout.write(`${line}\n`);
const entry = (key: string, value: string, wall: number, node: string): KvEntry => ({ key, value, version: { wall, logical: 0, node } });

// 1. Two nodes, `keys` shared, `differing` split between them; rumors off so only anti-entropy moves data.
{
  const config = NodeConfig.parse({
    probeIntervalMs: 200,
    kvRetransmitMult: 0,
    antiEntropyIntervalMs: 1000,
    antiEntropyMode: "push-pull",
    pushPullIntervalMs: 0,
  });
  const sim = new SimCluster({ config });
  const a = sim.add("a", 1);
  const b = sim.add("b", 2, ["a"]);
  for (let i = 0; i < args.keys; i++) {
    const e = entry(`key-${i}`, `value-${i}`, 1_000_000 + i, "a");
    a.kv.apply(e);
    b.kv.apply(e);
  }
  for (let i = 0; i < args.differing; i++) (i % 2 ? a : b).kv.apply(entry(`only-${i}`, `value-${i}`, 2_000_000 + i, i % 2 ? "a" : "b"));
  let t = 0;
  while (a.kv.tree.root() !== b.kv.tree.root() && t < 30_000) sim.runFor((t += 100) && 100);
  const merkleBytes = (sim.bytes["ae-tree"] ?? 0) + (sim.bytes["ae-entries"] ?? 0);
  // A full-state push-pull sends each side's whole store once.
  const fullBytes = [a, b].reduce((sum, n) => sum + Buffer.byteLength(JSON.stringify({ v: 1, type: "ae-entries", entries: n.kv.all() })) + 4, 0);
  const sessions = a.counters.aeSessions + b.counters.aeSessions;
  const rounds = a.counters.aeRounds + b.counters.aeRounds;
  out(`Two nodes, ${args.keys} keys, ${args.differing} differing (Merkle fan-out 16, depth 3):`);
  out(`  converged after ${t} ms (virtual), ${sessions} session(s), ${rounds} exchanges`);
  out(`  Merkle anti-entropy: ${merkleBytes} bytes; full-state exchange: ${fullBytes} bytes → ${((100 * merkleBytes) / fullBytes).toFixed(2)}% (target ≤ 5%)`);
}

// 2. One write on N nodes: time until every node holds it, by mode, rumors off.
out(`\nOne write, anti-entropy only (every 1000 ms, rumors off), median of ${args.seeds} seeds:`);
out(`  nodes  mode        converge ms  AE exchanges`);
for (const n of [8, 16]) {
  for (const mode of ["push", "pull", "push-pull"] as const) {
    const times: number[] = [];
    const exchanges: number[] = [];
    for (let seed = 1; seed <= args.seeds; seed++) {
      const config = NodeConfig.parse({ probeIntervalMs: 200, kvRetransmitMult: 0, antiEntropyIntervalMs: 1000, antiEntropyMode: mode, pushPullIntervalMs: 0 });
      const sim = new SimCluster({ config });
      const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
      ids.forEach((id, i) => sim.add(id, seed * 100 + i, i === 0 ? [] : ["n1"]));
      sim.runFor(3000);
      const before = ids.reduce((s, id) => s + sim.node(id).counters.aeRounds, 0);
      const start = sim.now;
      sim.put("n1", "the-write", "hello");
      while (!ids.every((id) => sim.node(id).kv.get("the-write")) && sim.now - start < 60_000) sim.runFor(10);
      times.push(sim.now - start);
      exchanges.push(ids.reduce((s, id) => s + sim.node(id).counters.aeRounds, 0) - before);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    out(`  ${String(n).padStart(5)}  ${mode.padEnd(10)}  ${String(median(times)).padStart(11)}  ${String(median(exchanges)).padStart(12)}`);
  }
}
