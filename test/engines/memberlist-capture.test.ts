// The golden packets can be captured again from a live memberlist node, and what it sends today
// decodes under the spec and re-encodes byte for byte (the fixture test checks the stored capture).
import path from "node:path";
import t from "tap";
import { captureMemberlist } from "../../harness/conformance/memberlist/capture.js";
import { packageRoot } from "../../harness/paths.js";
import { decodePacket, decodeStream, encodePacket, encodeStream } from "../../specs/wire/memberlist/codec.js";
import { engineSkip } from "./requirements.js";

const skip = await engineSkip(t, true);

t.test(
  "[~7 s] a live memberlist node's packets and streams: join push-pull, ping, ack, nack, suspicion, compressed and CRC frames",
  { skip, timeout: 60_000 },
  async (t) => {
    const packets = await captureMemberlist(path.join(packageRoot(), "fixtures", "agents", "memberlist", "memberlist-agent"));
    for (const { transport, hex, shape } of packets) {
      const bytes = Buffer.from(hex, "hex");
      const again = transport === "udp" ? encodePacket(decodePacket(bytes)) : encodeStream(decodeStream(bytes).message);
      t.equal(again.toString("hex"), hex, `${transport} ${shape}: the same bytes`);
    }
    const shapes = new Set(packets.map((p) => p.shape));
    for (const wanted of ["ping", "nack", "hasCrc > suspect", "compress > pushPull"]) t.ok(shapes.has(wanted), `it sent ${wanted}`);
    // memberlist piggybacks queued gossip on an ack when it has any (sendMsg), so whether the ack goes
    // alone or first in a compound depends on what was queued at that moment.
    const acks = [...shapes].filter((s) => s === "ack" || /^(hasCrc > )?compound > ack(, |$)/.test(s));
    t.ok(acks.length > 0, `it sent an ack, alone or with gossip (${acks.join("; ")})`);
    t.ok(
      [...shapes].some((s) => s.startsWith("compress > ")),
      "and a compressed packet the LZW decoder opened",
    );
  },
);

t.test("[~7 s] a keyed live node (AES-256): it takes the fake member's sealed messages and its own open with the key", { skip, timeout: 60_000 }, async (t) => {
  const key = Buffer.alloc(32, 42);
  const packets = await captureMemberlist(path.join(packageRoot(), "fixtures", "agents", "memberlist", "memberlist-agent"), { key });
  for (const { transport, hex, shape } of packets) {
    const bytes = Buffer.from(hex, "hex");
    const again =
      transport === "udp" ? encodePacket(decodePacket(bytes, { keys: [key] }), { key }) : encodeStream(decodeStream(bytes, { keys: [key] }).message, { key });
    t.equal(again.toString("hex"), hex, `${transport} ${shape}: opened and sealed again, the same bytes`);
  }
  const shapes = new Set(packets.map((p) => p.shape));
  t.ok(shapes.has("encrypted > ack"), "it acked the fake member's sealed ping");
  t.ok(shapes.has("encrypt > compress > pushPull"), "its join push-pull was sealed");
});
