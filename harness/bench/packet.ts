// `npm run bench:packet`: what the packet engine's relay costs. (1) The latency one datagram gains
// through the relay on a link with no toxic (diverted, held 0 ms), against the same path direct.
// (2) N nodes, N·(N−1) links all through the relay, a total datagram rate held for a while: every
// datagram that no toxic dropped must arrive. Needs root and nft.
import { execa, type ResultPromise } from "execa";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { PacketEngine } from "../faults/packet/packet-engine.js";
import { packageRoot } from "../paths.js";
import { percentile } from "../stats.js";
import path from "node:path";

const args = await yargs(hideBin(process.argv))
  .option("pings", { type: "number", default: 2000, describe: "round trips for the latency measurement" })
  .option("nodes", { type: "number", default: 10, describe: "nodes in the mesh: N·(N−1) links" })
  .option("rate", { type: "number", default: 1000, describe: "datagrams a second, all nodes together" })
  .option("seconds", { type: "number", default: 60, describe: "how long the mesh rate is held" })
  .strict()
  .parseAsync();

const out = (line: string) => process.stdout.write(`${line}\n`);
const traffic = path.join(packageRoot(), "dist", "harness", "bench", "packet-traffic.js");
const PORT = 7946;
const inNs = (netns: string, argv: string[]) =>
  execa("ip", ["netns", "exec", netns, process.execPath, traffic, ...argv], { stdin: "pipe", reject: false, lines: true });
const firstLine = (child: ResultPromise) => new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
const p = (values: number[], q: number) =>
  percentile(
    [...values].sort((a, b) => a - b),
    q,
  )!;

async function latency(): Promise<void> {
  const engine = await PacketEngine.create();
  try {
    await engine.add([
      { id: "a", addr: `127.0.0.1:${PORT}` },
      { id: "b", addr: `127.0.0.1:${PORT}` },
    ]);
    const [a, b] = [engine.placement("a"), engine.placement("b")];
    const rtts = async () => {
      const echo = inNs(b.netns, ["echo", b.host, String(PORT), "120000"]);
      await firstLine(echo);
      const ping = await inNs(a.netns, ["ping", a.host, String(PORT), `${b.host}:${PORT}`, String(args.pings), "1"]);
      echo.stdin!.end();
      await echo;
      return (JSON.parse(ping.stdout.at(-1)!) as { rtts: number[] }).rtts;
    };
    const direct = await rtts();
    // A 0 ms latency "fault" diverts a → b through the relay without holding anything.
    const relayed = await engine.latency(0, 0, [["a", "b"]]);
    const through = await rtts();
    await relayed.undo();
    out(`round trip a → b → a, ${args.pings} datagrams each (ms):`);
    out(`  direct:              p50 ${p(direct, 0.5).toFixed(3)}  p90 ${p(direct, 0.9).toFixed(3)}  p99 ${p(direct, 0.99).toFixed(3)}`);
    out(`  a → b via the relay: p50 ${p(through, 0.5).toFixed(3)}  p90 ${p(through, 0.9).toFixed(3)}  p99 ${p(through, 0.99).toFixed(3)}`);
    out(`  added by the relay:  p50 ${(p(through, 0.5) - p(direct, 0.5)).toFixed(3)} ms per datagram`);
  } finally {
    await engine.close();
  }
}

async function mesh(): Promise<void> {
  const engine = await PacketEngine.create();
  try {
    const ids = Array.from({ length: args.nodes }, (_, i) => `n${i + 1}`);
    await engine.add(ids.map((id) => ({ id, addr: `127.0.0.1:${PORT}` })));
    const hosts = ids.map((id) => engine.placement(id).host);
    const links = ids.flatMap((from) => ids.filter((to) => to !== from).map((to): [string, string] => [from, to]));
    await engine.latency(0, 0, links);
    const perNode = args.rate / args.nodes;
    const children = ids.map((id, i) => {
      const peers = hosts.filter((_, k) => k !== i).map((h) => `${h}:${PORT}`);
      return inNs(engine.placement(id).netns, ["mesh", hosts[i]!, String(PORT), peers.join(","), String(perNode), String(args.seconds * 1000)]);
    });
    await Promise.all(children.map(firstLine));
    out(`mesh: ${args.nodes} nodes, ${links.length} links through the relay, ${args.rate} datagrams/s for ${args.seconds} s`);
    for (const child of children) child.stdin!.write("go\n");
    const results = await Promise.all(
      children.map(async (c) => JSON.parse((await c).stdout.at(-1)!) as { sent: Record<string, number>; received: Record<string, number> }),
    );
    let sent = 0;
    let received = 0;
    const short: string[] = [];
    results.forEach((r, i) => {
      for (const [to, n] of Object.entries(r.sent)) {
        sent += n;
        const k = hosts.indexOf(to);
        const got = results[k]!.received[hosts[i]!] ?? 0;
        received += got;
        if (got !== n) short.push(`${ids[i]}→${ids[k]}: ${n - got} of ${n}`);
      }
    });
    const stats = await engine.relayStats();
    const relayed = Object.values(stats.udp).reduce((n, s) => n + s.sent, 0);
    out(
      `  sent ${sent}, received ${received}, lost ${sent - received}; the relay carried ${relayed}, dropped ${Object.values(stats.udp).reduce((n, s) => n + s.dropped, 0)}`,
    );
    if (short.length) out(`  short links: ${short.slice(0, 10).join("; ")}`);
    if (stats.errors.length) out(`  relay errors: ${stats.errors.slice(0, 5).join("; ")}`);
  } finally {
    await engine.close();
  }
}

await latency();
await mesh();
