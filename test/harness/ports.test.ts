// Ports for nodes are drawn where the kernel never hands out ports by itself, so nothing takes them before the node binds.
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { freePorts, reservablePortRange } from "../../harness/ports.js";

const rangeFile = (text: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ports-")), "range");
  writeFileSync(file, text);
  return file;
};

t.test("the reservable range ends where the kernel's ephemeral range begins", async (t) => {
  t.same(reservablePortRange(rangeFile("32768\t60999\n")), [10_000, 32_768]);
  t.same(reservablePortRange(rangeFile("49152 65535")), [10_000, 49_152]);
  t.equal(reservablePortRange(rangeFile("1024 65535")), undefined, "no room below it: leave the choice to the kernel");
  t.same(reservablePortRange("/nonexistent/range"), [10_000, 32_768], "no /proc: the usual start");
});

t.test("free ports are distinct, outside the ephemeral range, and can be bound once released", async (t) => {
  const ports = await freePorts(20);
  t.equal(new Set(ports).size, 20);
  if (range)
    t.ok(
      ports.every((p) => p >= range[0] && p < range[1]),
      `all in [${range.join(", ")}): ${ports.join(" ")}`,
    );
  for (const port of ports) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
    await new Promise((resolve) => server.close(resolve));
  }
});

const range = reservablePortRange();
t.test("a port another listener holds is never handed out", { skip: range ? false : "no reservable range on this machine" }, async (t) => {
  if (!range) return;
  // Hold a thousand ports of the range; none of them may come back.
  const held: net.Server[] = [];
  for (let port = range[0]; held.length < 1000 && port < range[1]; port++) {
    const server = net.createServer();
    const ok = await new Promise<boolean>((resolve) => server.once("error", () => resolve(false)).listen(port, "127.0.0.1", () => resolve(true)));
    if (ok) held.push(server);
  }
  t.teardown(() => Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve)))));
  const taken = new Set(held.map((s) => (s.address() as net.AddressInfo).port));
  const ports = await freePorts(200);
  t.same(
    ports.filter((p) => taken.has(p)),
    [],
  );
});

t.test("ports handed out by separate calls never repeat while their nodes may still be starting", async (t) => {
  // 1,500 single draws from ~22,000 ports would repeat about 50 times without the memory.
  const seen = new Set<number>();
  const repeats: number[] = [];
  for (let i = 0; i < 1500; i++) {
    const [port] = await freePorts(1);
    if (seen.has(port!)) repeats.push(port!);
    seen.add(port!);
  }
  t.same(repeats, []);
});

t.test("a port bound for UDP only is not handed out", { skip: range ? false : "no reservable range on this machine" }, async (t) => {
  if (!range) return;
  const dgram = await import("node:dgram");
  const sockets: import("node:dgram").Socket[] = [];
  for (let port = range[0]; sockets.length < 1000 && port < range[1]; port++) {
    const socket = dgram.createSocket("udp4");
    const ok = await new Promise<boolean>((resolve) => socket.once("error", () => resolve(false)).bind(port, "127.0.0.1", () => resolve(true)));
    if (ok) sockets.push(socket);
    else socket.close();
  }
  t.teardown(() => sockets.forEach((s) => s.close()));
  const taken = new Set(sockets.map((s) => s.address().port));
  const ports = await freePorts(200);
  t.same(
    ports.filter((p) => taken.has(p)),
    [],
  );
});
