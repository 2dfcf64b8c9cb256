// A small traffic program the packet-engine tests run inside a node's namespace (ip netns exec).
//   echo PROTO HOST PORT MAX_MS  answers every datagram / connection until its stdin closes (at most
//        MAX_MS); prints {"received":N} when done, for UDP with "repeats" (a payload heard before)
//        and "late" (a numeric payload below the highest heard before it: overtaken on the way)
//   stream tcp BIND_HOST HOST PORT BYTES  one connection; BYTES written 500 at a time, 1 ms apart (no
//        Nagle);
//        prints {"sent","echoed","ms"} once the echo has all come back (or after 60 s)
//   ping PROTO BIND_HOST BIND_PORT HOST PORT COUNT INTERVAL_MS TIMEOUT_MS
//        sends COUNT probes (a datagram, or a new connection each), prints {"sent","rtts","errors"}
// Bounded: every mode stops by itself.
import dgram from "node:dgram";
import net from "node:net";

const [mode, proto, ...rest] = process.argv.slice(2);
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");

if (mode === "echo") {
  const [host, port, durationMs] = rest;
  let received = 0;
  let repeats = 0;
  let late = 0;
  let highest = -1;
  const heard = new Set();
  const done = () => {
    print(proto === "udp" ? { received, repeats, late } : { received });
    process.exit(0);
  };
  if (proto === "udp") {
    const socket = dgram.createSocket("udp4");
    socket.on("message", (message, from) => {
      received++;
      const text = message.toString();
      if (heard.has(text)) repeats++;
      else {
        heard.add(text);
        const n = Number(text);
        if (n < highest) late++;
        highest = Math.max(highest, n);
      }
      socket.send(message, from.port, from.address);
    });
    socket.bind(Number(port), host, () => print({ listening: true }));
  } else {
    const server = net.createServer((c) => {
      received++;
      c.on("data", (d) => c.write(d));
      c.on("end", () => c.end());
      c.on("error", () => undefined);
    });
    server.listen(Number(port), host, () => print({ listening: true }));
  }
  setTimeout(done, Number(durationMs));
  process.stdin.on("end", done);
  process.stdin.resume();
} else if (mode === "stream") {
  const [bindHost, host, port, bytes] = rest;
  const total = Number(bytes);
  const started = performance.now();
  let echoed = 0;
  const c = net.connect({ host, port: Number(port), localAddress: bindHost });
  const done = () => {
    print({ sent: total, echoed, ms: performance.now() - started });
    process.exit(0);
  };
  c.setNoDelay(true);
  c.on("connect", async () => {
    for (let sent = 0; sent < total; sent += 500) {
      c.write(Buffer.alloc(Math.min(500, total - sent), 120));
      await new Promise((r) => setTimeout(r, 1));
    }
  });
  c.on("data", (d) => {
    echoed += d.length;
    if (echoed >= total) done();
  });
  c.on("error", done);
  setTimeout(done, 60_000);
} else {
  const [bindHost, bindPort, host, port, count, intervalMs, timeoutMs] = rest;
  const rtts = [];
  const errors = [];
  let sent = 0;
  const finish = () => {
    print({ sent, rtts, errors });
    process.exit(0);
  };
  if (proto === "udp") {
    const socket = dgram.createSocket("udp4");
    const sentAt = new Map();
    socket.on("message", (message) => {
      const at = sentAt.get(message.toString());
      if (at !== undefined) rtts.push(performance.now() - at);
      sentAt.delete(message.toString());
    });
    socket.on("error", (e) => errors.push(e.code ?? e.message));
    socket.bind(Number(bindPort), bindHost, () => {
      const timer = setInterval(() => {
        if (sent >= Number(count)) {
          clearInterval(timer);
          setTimeout(finish, Number(timeoutMs));
          return;
        }
        const id = String(sent++);
        sentAt.set(id, performance.now());
        socket.send(id, Number(port), host);
      }, Number(intervalMs));
    });
  } else {
    const one = () =>
      new Promise((resolve) => {
        const started = performance.now();
        const c = net.connect({ host, port: Number(port), localAddress: bindHost });
        const timer = setTimeout(() => {
          errors.push("timeout");
          c.destroy();
          resolve();
        }, Number(timeoutMs));
        c.on("connect", () => c.write("x"));
        c.on("data", () => {
          rtts.push(performance.now() - started);
          clearTimeout(timer);
          c.destroy();
          resolve();
        });
        c.on("error", (e) => {
          errors.push(e.code ?? e.message);
          clearTimeout(timer);
          resolve();
        });
      });
    for (let i = 0; i < Number(count); i++) {
      sent++;
      await one();
      await new Promise((r) => setTimeout(r, Number(intervalMs)));
    }
    finish();
  }
}
