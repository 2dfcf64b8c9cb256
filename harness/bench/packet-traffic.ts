// The traffic program of `npm run bench:packet`, run inside a node's namespace (ip netns exec):
//   mesh HOST PORT PEERS RATE DURATION_MS  sends RATE datagrams a second, round the PEERS (host:port,
//                                          comma-separated), for DURATION_MS; counts what arrives;
//                                          prints {"sent":{peer:n},"received":{source:n}} after a grace
//   echo HOST PORT MAX_MS                  answers every datagram until its stdin closes
//   ping HOST PORT TARGET COUNT GAP_MS     round trips to an echo; prints {"rtts":[ms…]}
// Every mode stops by itself.
import dgram from "node:dgram";

const [mode, host, port, ...rest] = process.argv.slice(2);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const socket = dgram.createSocket("udp4");

if (mode === "echo") {
  socket.on("message", (message, from) => socket.send(message, from.port, from.address));
  socket.bind(Number(port), host, () => print({ listening: true }));
  const stop = () => process.exit(0);
  setTimeout(stop, Number(rest[0] ?? 60_000));
  process.stdin.on("end", stop).resume();
} else if (mode === "ping") {
  const [target, count, gapMs] = rest as [string, string, string];
  const [targetHost, targetPort] = target.split(":") as [string, string];
  const rtts: number[] = [];
  let sentAt = 0;
  let next = 0;
  const send = () => {
    if (next >= Number(count)) {
      print({ rtts });
      process.exit(0);
    }
    next++;
    sentAt = performance.now();
    socket.send(String(next), Number(targetPort), targetHost);
  };
  socket.on("message", () => {
    rtts.push(performance.now() - sentAt);
    setTimeout(send, Number(gapMs));
  });
  socket.bind(Number(port), host, send);
  setTimeout(() => {
    print({ rtts });
    process.exit(0);
  }, 120_000);
} else {
  const [peersText, rate, durationMs] = rest as [string, string, string];
  const peers = peersText.split(",");
  const sent: Record<string, number> = {};
  const received: Record<string, number> = {};
  socket.on("message", (_message, from) => {
    received[from.address] = (received[from.address] ?? 0) + 1;
  });
  socket.bind(Number(port), host, () => {
    print({ listening: true });
    // Start when told (a line on stdin), so that every sender starts with every receiver listening.
    process.stdin.once("data", () => {
      const started = performance.now();
      const total = Math.round((Number(rate) * Number(durationMs)) / 1000);
      let i = 0;
      const tick = () => {
        // Catch up to where the schedule says we should be: timers are coarse, the rate is not.
        const due = Math.min(total, Math.floor(((performance.now() - started) * Number(rate)) / 1000));
        for (; i < due; i++) {
          const peer = peers[i % peers.length]!;
          const [peerHost, peerPort] = peer.split(":") as [string, string];
          socket.send(`${host}:${i}`, Number(peerPort), peerHost);
          sent[peerHost] = (sent[peerHost] ?? 0) + 1;
        }
        if (i < total) setTimeout(tick, 5);
        else
          setTimeout(() => {
            print({ sent, received });
            process.exit(0);
          }, 2000);
      };
      tick();
    });
  });
  setTimeout(() => process.exit(1), Number(durationMs) + 30_000);
}
