// Malformed input on memberlist's wire, written down one by one: each entry names the code path it
// aims at in memberlist 0.2.2. Sizes in length fields are chosen so that a node that trusts them fails
// at once (Go's makeslice refuses a negative or huge length) instead of allocating: no entry can
// exhaust this machine's memory.
import msgpack5 from "msgpack5";
import { encodePacket, encodeStream } from "../../../specs/wire/memberlist/codec.js";
import { MESSAGE_TYPES } from "../../../specs/wire/memberlist/messages.js";
import { lzwCompress } from "../../../specs/wire/memberlist/lzw.js";

export interface MalformedEntry {
  id: string;
  transport: "udp" | "tcp";
  /** What it is and the code it aims at. */
  why: string;
  bytes: Uint8Array;
}

const goMsgpack = msgpack5({ compatibilityMode: true });
/** A msgpack map with its keys in name order, as go-msgpack writes structs; values may be of any type. */
export const sortedMap = (fields: Record<string, unknown>): Buffer =>
  goMsgpack.encode(Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)))).slice();

const T = MESSAGE_TYPES;
const b = (...parts: (number | Uint8Array)[]) => Buffer.concat(parts.map((p) => (typeof p === "number" ? Buffer.of(p) : Buffer.from(p))));

export function memberlistCorpus(selfName: string): MalformedEntry[] {
  const ping = encodePacket({ type: "ping", body: { SeqNo: 1, Node: selfName } });
  return [
    { id: "lone-type-byte-compound", transport: "udp", why: "compound with no count byte (util.go:184)", bytes: b(T.compound) },
    { id: "compound-count-without-table", transport: "udp", why: "compound promising 255 parts with no length table (util.go:192)", bytes: b(T.compound, 255) },
    {
      id: "compound-empty-part",
      transport: "udp",
      why: "compound whose one part is 0 bytes long: handleCommand reads buf[0] of it (net.go:359)",
      bytes: b(T.compound, 1, 0, 0),
    },
    {
      id: "crc-around-nothing",
      transport: "udp",
      why: "hasCrc with the CRC of nothing and nothing after it: handleCommand gets 0 bytes (net.go:344–351)",
      bytes: b(T.hasCrc, 0, 0, 0, 0),
    },
    {
      id: "compress-to-nothing",
      transport: "udp",
      why: "compress whose LZW data decompresses to 0 bytes: handleCommand gets 0 bytes (net.go:694–704)",
      bytes: b(T.compress, sortedMap({ Algo: 0, Buf: Buffer.from(lzwCompress(new Uint8Array())) })),
    },
    { id: "compress-unknown-algo", transport: "udp", why: "compress with Algo 1 (util.go:251)", bytes: b(T.compress, sortedMap({ Algo: 1, Buf: ping })) },
    {
      id: "compress-garbage",
      transport: "udp",
      why: "compress whose Buf is not LZW",
      bytes: b(T.compress, sortedMap({ Algo: 0, Buf: Buffer.from("not lzw at all, just text") })),
    },
    { id: "unknown-type-255", transport: "udp", why: "message type 255 (net.go:415)", bytes: b(255, ping.subarray(1)) },
    { id: "ping-nil-body", transport: "udp", why: "ping whose body is msgpack nil", bytes: b(T.ping, 0xc0) },
    { id: "ping-truncated-body", transport: "udp", why: "ping whose msgpack map is cut short", bytes: ping.subarray(0, ping.length - 4) },
    {
      id: "alive-short-vsn",
      transport: "udp",
      why: "alive with a 2-byte Vsn (state.go:930, 986)",
      bytes: b(T.alive, sortedMap({ Incarnation: 1, Node: "short-vsn", Addr: Buffer.of(127, 0, 0, 1), Port: 9, Meta: null, Vsn: Buffer.of(1, 2) })),
    },
    {
      id: "alive-zero-versions",
      transport: "udp",
      why: "alive with protocol versions 0 (state.go:931–936)",
      bytes: b(T.alive, sortedMap({ Incarnation: 1, Node: "zero-vsn", Addr: Buffer.of(127, 0, 0, 1), Port: 9, Meta: null, Vsn: Buffer.alloc(6) })),
    },
    { id: "nested-compress", transport: "udp", why: "compress inside compress inside compress, around a ping", bytes: nestCompress(ping, 3) },
    {
      id: "random-64k",
      transport: "udp",
      why: "60 000 bytes of a repeating pattern after a ping type byte",
      bytes: b(T.ping, Buffer.alloc(60_000, "\xde\xad\xbe\xef")),
    },
    {
      id: "pushpull-negative-nodes",
      transport: "tcp",
      why: "push-pull header with Nodes −1: make([]pushNodeState, header.Nodes) (net.go:1105)",
      bytes: b(T.pushPull, sortedMap({ Join: false, Nodes: -1, UserStateLen: 0 })),
    },
    {
      id: "pushpull-huge-user-state",
      transport: "tcp",
      why: "push-pull header with UserStateLen 2^50: make([]byte, header.UserStateLen) (net.go:1117)",
      bytes: b(T.pushPull, sortedMap({ Join: false, Nodes: 0, UserStateLen: 2 ** 50 })),
    },
    {
      id: "pushpull-short-vsn",
      transport: "tcp",
      why: "push-pull carrying an alive member with a 2-byte Vsn: verifyProtocol reads Vsn[3] (state.go:695–708)",
      bytes: encodeStream({
        type: "pushPull",
        header: { Nodes: 1, UserStateLen: 0, Join: false },
        states: [{ Name: "short-vsn", Addr: Uint8Array.of(127, 0, 0, 1), Port: 9, Meta: null, Incarnation: 1, State: 0, Vsn: Uint8Array.of(1, 2) }],
        userState: new Uint8Array(),
      }),
    },
    {
      id: "user-huge-length",
      transport: "tcp",
      why: "user message header with UserMsgLen 2^50 (net.go:1190)",
      bytes: b(T.user, sortedMap({ UserMsgLen: 2 ** 50 })),
    },
    { id: "stream-unknown-type", transport: "tcp", why: "stream whose type byte is 200 (net.go:1037–1095)", bytes: b(200, 0xc0) },
  ];
}

function nestCompress(inner: Uint8Array, depth: number): Uint8Array {
  let bytes = inner;
  for (let i = 0; i < depth; i++) bytes = b(T.compress, sortedMap({ Algo: 0, Buf: Buffer.from(lzwCompress(bytes)) }));
  return bytes;
}
