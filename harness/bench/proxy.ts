// `npm run bench:proxy`: what the embedded proxy costs — added latency per exchange, a 50-node mesh, throughput.
import { readFileSync } from "node:fs";
import net from "node:net";
import { execa } from "execa";
import { percentile } from "../stats.js";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { ProxyApi } from "../faults/proxy-api.js";
import { Topology } from "../faults/topology.js";
import { builtCli } from "../paths.js";

const args = await yargs(hideBin(process.argv))
  .option("exchanges", { type: "number", default: 2000, describe: "exchanges per path for the latency measurement" })
  .option("mesh-nodes", { type: "number", default: 50, describe: "nodes in the mesh: N·(N−1) proxies" })
  .option("megabytes", { type: "number", default: 200, describe: "bytes pushed through one stream for throughput" })
  .strict()
  .parseAsync();

const out = (line: string) => process.stdout.write(`${line}\n`);

/** The proxy server as users run it: `grapevine proxy` in its own process. */
async function startProxyServer() {
  const child = execa(process.execPath, [builtCli(), "proxy", "--port", "0"], { reject: false });
  const line = await new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(d.toString())));
  const { url } = JSON.parse(line) as { url: string };
  return {
    api: new ProxyApi(url),
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024,
    stop: async () => {
      child.kill("SIGTERM");
      await child;
    },
  };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

/** One exchange as the wire protocol does it: connect, write a request, read the reply, close. */
function exchange(port: number, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, "127.0.0.1", () => socket.write(payload));
    let got = 0;
    socket.on("data", (d) => {
      got += d.length;
      if (got >= payload.length) {
        socket.destroy();
        resolve(performance.now() - started);
      }
    });
    socket.on("error", reject);
  });
}

async function latencies(port: number, n: number): Promise<number[]> {
  const payload = Buffer.alloc(200, 1);
  for (let i = 0; i < 100; i++) await exchange(port, payload); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await exchange(port, payload));
  return samples.sort((a, b) => a - b);
}

/** Pushes `bytes` through `port` to a counting sink; resolves with MB/s. */
function throughput(port: number, sinkDone: () => Promise<void>, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const block = Buffer.alloc(64 * 1024, 7);
    const socket = net.connect(port, "127.0.0.1");
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += block.length;
        if (!socket.write(block)) return void socket.once("drain", pump);
      }
      socket.end();
    };
    socket.on("connect", pump);
    socket.on("error", reject);
    void sinkDone().then(() => resolve(bytes / 1e6 / ((performance.now() - started) / 1000)));
  });
}

const f = (x: number) => x.toFixed(3).padStart(8);
const echo = net.createServer((s) => {
  s.on("data", (d) => s.write(d));
  s.on("error", () => undefined);
});
const echoPort = await listen(echo);
const server = await startProxyServer();
try {
  // 1. Added latency per exchange.
  const [proxy] = await server.api.populate([{ name: "bench-echo", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echoPort}` }]);
  const proxyPort = Number(proxy!.listen.split(":")[1]);
  const direct = await latencies(echoPort, args.exchanges);
  const proxied = await latencies(proxyPort, args.exchanges);
  const q = (s: number[], p: number) => percentile(s, p)!;
  out(`Exchange latency (ms; connect, 200 B request, echo, close), ${args.exchanges} exchanges each:`);
  out(`              p50      p99`);
  out(`  direct  ${f(q(direct, 0.5))} ${f(q(direct, 0.99))}`);
  out(`  proxied ${f(q(proxied, 0.5))} ${f(q(proxied, 0.99))}`);
  out(`  added   ${f(q(proxied, 0.5) - q(direct, 0.5))} ${f(q(proxied, 0.99) - q(direct, 0.99))}   (target: p50 added ≤ 0.3 ms)`);

  // 2. A 50-node mesh: N·(N−1) proxies through the API.
  const n = args["mesh-nodes"];
  const rssBefore = server.rssMb();
  const started = performance.now();
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `m${i}`, addr: `127.0.0.1:${40000 + i}` }));
  const mesh = await Topology.mesh(server.api, nodes, "bench-");
  const took = (performance.now() - started) / 1000;
  out(
    `\nMesh of ${n} nodes: ${mesh.proxyCount} proxies created in ${took.toFixed(2)} s; proxy server RSS ${rssBefore.toFixed(0)} → ${server.rssMb().toFixed(0)} MB (target: ≤ 5 s, ≤ 300 MB)`,
  );
  await mesh.destroy();

  // 3. Throughput of one stream.
  const bytes = args.megabytes * 1e6;
  let received = 0;
  let onDone: () => void = () => undefined;
  const sink = net.createServer((s) => {
    s.on("data", (d) => {
      received += d.length;
      if (received >= bytes) onDone();
    });
    s.on("error", () => undefined);
  });
  const sinkPort = await listen(sink);
  const sinkDone = () => new Promise<void>((resolve) => (onDone = resolve));
  const rate = async (port: number) => {
    received = 0;
    const done = sinkDone();
    return throughput(port, () => done, bytes);
  };
  const [sinkProxy] = await server.api.populate([{ name: "bench-sink", listen: "127.0.0.1:0", upstream: `127.0.0.1:${sinkPort}` }]);
  const directRate = await rate(sinkPort);
  const proxiedRate = await rate(Number(sinkProxy!.listen.split(":")[1]));
  out(`\nThroughput of one stream, ${args.megabytes} MB: direct ${directRate.toFixed(0)} MB/s, proxied ${proxiedRate.toFixed(0)} MB/s`);
  sink.close();
} finally {
  echo.close();
  await server.stop();
}
