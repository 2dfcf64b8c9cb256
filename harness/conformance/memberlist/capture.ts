// Captures real memberlist packets for the wire spec's golden tests: a fake member on loopback makes
// itself known to a real memberlist node (the agent in fixtures/agents/memberlist, Debian's
// memberlist 0.2.2) with an alive message, answers its pings for a while, asks it for an ack and an
// indirect ping, then falls silent so that it is suspected, and records every packet the node sends.
// Run: `npm run capture:memberlist` (writes fixtures/wire/memberlist/captured.json). Bounded: the
// node runs at most 20 s, and it and every socket are closed on any exit.
import dgram from "node:dgram";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import net from "node:net";
import {
  decodePacket,
  decodeStream,
  encodePacket,
  encodeStream,
  MemberlistDecodeError,
  type Packet,
  type StreamMessage,
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
  return message.type === "compress" && message.message ? `compress > ${streamShape(message.message)}` : message.type;
}

export function packetShape(packet: Packet): string {
  if (packet.type === "hasCrc") return `hasCrc > ${packetShape(packet.packet)}`;
  if (packet.type === "compress") return packet.packet ? `compress > ${packetShape(packet.packet)}` : "compress";
  if (packet.type === "compound") return `compound > ${packet.parts.map(packetShape).join(", ")}`;
  return packet.type;
}

export async function captureMemberlist(agent: string): Promise<CapturedPacket[]> {
  const [fakePort, ghostPort, nodePort, adminPort] = await freePorts(4);
  const captured: CapturedPacket[] = [];
  let context = "on its own";
  let answering = true;
  const fake = dgram.createSocket("udp4");
  const ghost = dgram.createSocket("udp4");
  const record = (bytes: Buffer, where: string) => {
    const packet = decodePacket(bytes);
    captured.push({ transport: "udp", context: `${context} (to ${where})`, shape: packetShape(packet), hex: bytes.toString("hex") });
    return packet;
  };
  let incarnation = 1;
  const alive = (): Packet => ({ type: "alive", body: { Incarnation: incarnation, Node: "fake", Addr: LOOPBACK, Port: fakePort!, Meta: null, Vsn: VSN } });
  const fakeState = () => ({ Name: "fake", Addr: LOOPBACK, Port: fakePort!, Meta: null, Incarnation: incarnation, State: 0, Vsn: VSN });
  fake.on("message", (bytes) => {
    if (!answering) return void record(bytes, "the fake member, silent");
    for (const message of messages(record(bytes, "the fake member"))) {
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
        decoded = decodeStream(buffered);
      } catch (error) {
        if (error instanceof MemberlistDecodeError && /ends inside|wanted/.test(error.message)) return; // more to come
        throw error;
      }
      const whole = buffered.subarray(0, buffered.length - decoded.rest.length);
      buffered = Buffer.from(decoded.rest);
      captured.push({ transport: "tcp", context: `${context} (to the fake member's stream)`, shape: streamShape(decoded.message), hex: whole.toString("hex") });
      const inner = decoded.message.type === "compress" ? decoded.message.message : decoded.message;
      if (inner?.type === "pushPull")
        socket.end(encodeStream({ type: "pushPull", header: { Nodes: 1, UserStateLen: 0, Join: false }, states: [fakeState()], userState: new Uint8Array() }));
      else if (inner?.type === "ping" && answering) socket.end(encodeStream({ type: "ack", body: { SeqNo: inner.body.SeqNo, Payload: null } }));
    });
    socket.on("error", () => undefined);
  });
  await Promise.all([bind(fake, fakePort!), bind(ghost, ghostPort!), new Promise<void>((resolve) => streams.listen(fakePort!, "127.0.0.1", resolve))]);
  const send = (socket: dgram.Socket, packet: Packet) => socket.send(encodePacket(packet), nodePort!, "127.0.0.1");

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

/** The messages a packet carries, unwrapped from CRC, compression and compounds. */
function messages(packet: Packet): Packet[] {
  if (packet.type === "hasCrc") return messages(packet.packet);
  if (packet.type === "compress") return packet.packet ? messages(packet.packet) : [];
  if (packet.type === "compound") return packet.parts.flatMap(messages);
  return [packet];
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
  const packets = await captureMemberlist(agent);
  const out = path.join(packageRoot(), "fixtures", "wire", "memberlist", "captured.json");
  mkdirSync(path.dirname(out), { recursive: true });
  const version = (await execa("dpkg-query", ["-W", "-f=${Version}", "golang-github-hashicorp-memberlist-dev"], { reject: false })).stdout;
  writeFileSync(
    out,
    JSON.stringify(
      { source: `memberlist ${version || "0.2.x"} (Debian golang-github-hashicorp-memberlist-dev), fixtures/agents/memberlist`, packets },
      null,
      2,
    ) + "\n",
  );
  process.stdout.write(`${packets.length} packets into ${out}: ${[...new Set(packets.map((p) => p.shape))].join("; ")}\n`);
}
