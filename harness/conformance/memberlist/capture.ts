// Captures real memberlist packets and streams for the wire spec's golden tests. A real memberlist
// node (the agent in fixtures/agents/memberlist, Debian's memberlist 0.2.2) joins through a fake
// member on loopback (push-pull over TCP); the fake answers its pings, asks it for an ack and an
// indirect ping, then falls silent until the node suspects it, pings it over TCP and declares it
// dead. Every packet and stream message the node sends is recorded. Run: `npm run
// capture:memberlist` (writes fixtures/wire/memberlist/captured.json, and captured-keyed.json with
// the node keyed). Bounded: the node runs at most 20 s, and it and every socket close on any exit.
import dgram from "node:dgram";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import net from "node:net";
import {
  decodePacket,
  decodeStream,
  MemberlistIncompleteError,
  type Packet,
  type StreamMessage,
  packetMessages,
  streamContent,
  encodeSealedPacket,
  encodeSealedStream,
} from "../../../specs/wire/memberlist/codec.js";
import { freePorts } from "../../ports.js";
import { packageRoot } from "../../paths.js";

export interface CapturedPacket {
  /** A UDP packet, or one whole message the node wrote on a TCP stream. */
  transport: "udp" | "tcp";
  /** What the node sent it in answer to, or on its own. */
  context: string;
  /** The packet's message types, outermost first ("hasCrc > compound > ping, suspect"). */
  shape: string;
  hex: string;
}

const LOOPBACK = Buffer.of(127, 0, 0, 1);
/** pmin, pmax, pcur, dmin, dmax, dcur: protocol 1–5 at 2, as memberlist itself announces. */
const VSN = Buffer.of(1, 5, 2, 0, 0, 0);

/** "hasCrc > compound > ping, suspect": the nesting of a packet, for labels. */
export function streamShape(message: StreamMessage): string {
  if (message.type === "encrypt") return message.opened ? `encrypt > ${streamShape(message.opened.message)}` : "encrypt";
  return message.type === "compress" && message.message ? `compress > ${streamShape(message.message)}` : message.type;
}

export function packetShape(packet: Packet): string {
  if (packet.type === "encrypted") return `encrypted > ${packetShape(packet.packet)}`;
  if (packet.type === "hasCrc") return `hasCrc > ${packetShape(packet.packet)}`;
  if (packet.type === "compress") return packet.packet ? `compress > ${packetShape(packet.packet)}` : "compress";
  if (packet.type === "compound") return `compound > ${packet.parts.map(packetShape).join(", ")}`;
  return packet.type;
}

/**
 * With `key`, the node runs keyed (its -key flag, memberlist's SecretKey): every packet and stream
 * is encrypted, and the fake member seals what it sends with the same key (version 1, fresh nonces).
 */
export async function captureMemberlist(agent: string, options: { key?: Buffer } = {}): Promise<CapturedPacket[]> {
  const keys = options.key ? { keys: [options.key] } : {};
  const sealStream = (message: StreamMessage): Buffer => encodeSealedStream(message, options.key);
  const [fakePort, ghostPort, nodePort, adminPort] = await freePorts(4);
  const captured: CapturedPacket[] = [];
  let context = "on its own";
  let answering = true;
  const fake = dgram.createSocket("udp4");
  const ghost = dgram.createSocket("udp4");
  const record = (bytes: Buffer, where: string) => {
    const packet = decodePacket(bytes, keys);
    captured.push({ transport: "udp", context: `${context} (to ${where})`, shape: packetShape(packet), hex: bytes.toString("hex") });
    return packet;
  };
  let incarnation = 1;
  const alive = (): Packet => ({ type: "alive", body: { Incarnation: incarnation, Node: "fake", Addr: LOOPBACK, Port: fakePort!, Meta: null, Vsn: VSN } });
  const fakeState = () => ({ Name: "fake", Addr: LOOPBACK, Port: fakePort!, Meta: null, Incarnation: incarnation, State: 0, Vsn: VSN });
  fake.on("message", (bytes) => {
    if (!answering) return void record(bytes, "the fake member, silent");
    for (const message of packetMessages(record(bytes, "the fake member"))) {
      if (message.type === "ping") send(fake, { type: "ack", body: { SeqNo: message.body.SeqNo, Payload: null } });
      // Refute, as a member must: a higher incarnation.
      if (message.type === "suspect" && message.body.Node === "fake" && message.body.Incarnation >= incarnation) {
        incarnation = message.body.Incarnation + 1;
        send(fake, alive());
      }
    }
  });
  ghost.on("message", (bytes) => void record(bytes, "an indirect ping's target, which never answers"));
  // The fake member's stream side: the node joins through it (push-pull), and pings it over TCP once
  // its UDP pings go unanswered. Each whole message is recorded; a push-pull gets the fake's state back.
  const streams = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      let decoded: { message: StreamMessage; rest: Uint8Array };
      try {
        decoded = decodeStream(buffered, keys);
      } catch (error) {
        if (error instanceof MemberlistIncompleteError) return; // more to come
        throw error;
      }
      const whole = buffered.subarray(0, buffered.length - decoded.rest.length);
      buffered = Buffer.from(decoded.rest);
      captured.push({ transport: "tcp", context: `${context} (to the fake member's stream)`, shape: streamShape(decoded.message), hex: whole.toString("hex") });
      const inner = streamContent(decoded.message);
      if (inner?.type === "pushPull")
        socket.end(sealStream({ type: "pushPull", header: { Nodes: 1, UserStateLen: 0, Join: false }, states: [fakeState()], userState: new Uint8Array() }));
      else if (inner?.type === "ping" && answering) socket.end(sealStream({ type: "ack", body: { SeqNo: inner.body.SeqNo, Payload: null } }));
    });
    socket.on("error", () => undefined);
  });
  await Promise.all([bind(fake, fakePort!), bind(ghost, ghostPort!), new Promise<void>((resolve) => streams.listen(fakePort!, "127.0.0.1", resolve))]);
  const send = (socket: dgram.Socket, packet: Packet) => socket.send(encodeSealedPacket(packet, options.key), nodePort!, "127.0.0.1");

  context = "joining through the fake member";
  const node = execa(
    agent,
    [
      "-name=ml",
      "-bind=127.0.0.1",
      `-port=${nodePort}`,
      `-admin=127.0.0.1:${adminPort}`,
      `-join=127.0.0.1:${fakePort}`,
      "-probe-interval=200ms",
      "-probe-timeout=100ms",
      ...(options.key ? [`-key=${options.key.toString("base64")}`] : []),
    ],
    {
      reject: false,
      timeout: 20_000,
      stdout: "ignore",
      stderr: "ignore",
    },
  );
  try {
    await waitForAdmin(adminPort!);
    context = "after the fake member's alive";
    send(fake, alive());
    await sleep(1500);
    context = "in answer to the fake member's ping";
    send(fake, { type: "ping", body: { SeqNo: 4242, Node: "ml" } });
    await sleep(300);
    context = "in answer to the fake member's indirect ping (nack wanted) for a target that never answers";
    send(fake, { type: "indirectPing", body: { SeqNo: 4343, Target: LOOPBACK, Port: ghostPort!, Node: "ghost", Nack: true } });
    await sleep(1000);
    context = "after the fake member fell silent";
    answering = false;
    await sleep(2500);
  } finally {
    node.kill("SIGKILL");
    await node;
    fake.close();
    ghost.close();
    streams.close();
  }
  return captured;
}

function bind(socket: dgram.Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, "127.0.0.1", () => resolve());
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForAdmin(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/v1/node`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error("the memberlist agent did not answer on its admin port within 10 s");
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const agent = path.join(packageRoot(), "fixtures", "agents", "memberlist", "memberlist-agent");
  if (!existsSync(agent)) {
    process.stderr.write(
      `capture: no memberlist agent at ${agent}; build it: (cd fixtures/agents/memberlist && GO111MODULE=off GOPATH=/usr/share/gocode go build -o memberlist-agent .)\n`,
    );
    process.exit(2);
  }
  const version = (await execa("dpkg-query", ["-W", "-f=${Version}", "golang-github-hashicorp-memberlist-dev"], { reject: false })).stdout;
  const source = `memberlist ${version || "0.2.x"} (Debian golang-github-hashicorp-memberlist-dev), fixtures/agents/memberlist`;
  // Plain, then keyed with a fixed test key (stored beside the packets, so that tests can open them).
  for (const [file, key] of [
    ["captured.json", undefined],
    ["captured-keyed.json", Buffer.from("grapevine-test-key-32-bytes-long", "utf8")],
  ] as const) {
    const packets = await captureMemberlist(agent, key ? { key } : {});
    const out = path.join(packageRoot(), "fixtures", "wire", "memberlist", file);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ source, ...(key ? { key: key.toString("base64") } : {}), packets }, null, 2) + "\n");
    process.stdout.write(`${packets.length} packets into ${out}: ${[...new Set(packets.map((p) => p.shape))].join("; ")}\n`);
  }
}
