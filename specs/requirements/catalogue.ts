// The numbered requirements conformance checks, with the sentence each requires and where it comes from.
import { z } from "zod";
import { MAX_FRAME_BYTES } from "../wire/frame.js";
import { describeMergeRow, MERGE_TABLE, mergeRequirementId } from "./merge-table.js";
import { Requirement } from "./requirement.js";

const SWIM = "SWIM (Das, Gupta, Motivala 2002)";
const LIFEGUARD = "Lifeguard (Dadgar, Phillips, Currey 2018)";
const WIRE = "Grapevine wire spec v1 (specs/wire)";
const ADMIN = "Grapevine admin API (specs/admin)";
const PHI = "The φ accrual failure detector (Hayashibara, Défago, Yared, Katayama 2004), as Akka implements it";
const HEARTBEAT = "Heartbeat-counter gossip (van Renesse, Minsky, Hayden 1998)";
/** memberlist-specific requirements cite the Debian package's source: /usr/share/gocode/src/github.com/hashicorp/memberlist. */
const ML = "memberlist 0.2.2";

const listed: Requirement[] = [
  // ---- framing and schema
  {
    id: "WIRE-FRAME-1",
    level: "MUST",
    group: "wire",
    source: `${WIRE}, framing`,
    text: `A frame whose length prefix exceeds ${MAX_FRAME_BYTES} bytes is dropped: the connection is closed without a reply.`,
  },
  { id: "WIRE-FRAME-2", level: "MUST", group: "wire", source: `${WIRE}, framing`, text: "A frame with a zero length prefix is dropped without a reply." },
  {
    id: "WIRE-FRAME-3",
    level: "MUST",
    group: "wire",
    source: `${WIRE}, framing`,
    text: "A connection closed inside a frame (truncated header or body) gets no reply and leaves the node unharmed.",
  },
  { id: "WIRE-JSON-1", level: "MUST", group: "wire", source: `${WIRE}, framing`, text: "A frame whose body is not UTF-8 JSON is dropped without a reply." },
  {
    id: "WIRE-SCHEMA-1",
    level: "MUST",
    group: "wire",
    source: `${WIRE}, messages`,
    text: "A frame whose JSON does not satisfy the message schema (wrong types, unknown type or version, missing fields, out-of-range values) is dropped without a reply.",
  },
  { id: "WIRE-ALIVE-1", level: "MUST", group: "wire", source: `${WIRE}, robustness`, text: "After any malformed input the node still answers a ping." },
  {
    id: "WIRE-HOSTILE-1",
    level: "MUST",
    group: "wire",
    source: `${WIRE}, robustness`,
    text: "After any message the schema admits, however hostile (numbers at the ends of their ranges, lists at their limits, Merkle indexes past their level, claims about the node at the largest incarnation, far-future versions), the node still answers a ping, and any reply it sends is a valid frame within the size limit.",
  },
  {
    id: "WIRE-SLOW-1",
    level: "MUST",
    group: "wire",
    source: `${WIRE}, robustness`,
    text: "A sender that trickles a frame byte by byte does not stop the node from answering other connections.",
  },
  {
    id: "WIRE-SLOW-2",
    level: "SHOULD",
    group: "wire",
    source: `${WIRE}, robustness`,
    text: "A connection that has not delivered a whole frame within the node's read timeout is closed.",
  },
  {
    id: "WIRE-AMPLIFY-1",
    level: "MUST",
    group: "wire",
    source: `${WIRE}, robustness`,
    text: "A member the node does not know, whose replies never introduce it, draws at most one request per protocol period from the node: hearing from it never starts a storm of requests.",
  },
  { id: "WIRE-COUNT-1", level: "SHOULD", group: "wire", source: `${ADMIN}, /v1/metrics`, text: "Every dropped frame raises the `rejectedFrames` counter." },

  // ---- probing
  { id: "SWIM-PING-1", level: "MUST", group: "probe", source: `${SWIM} §3.1`, text: "A `ping` is answered with an `ack` carrying the same `seq`." },
  {
    id: "SWIM-PING-2",
    level: "SHOULD",
    group: "probe",
    source: `${WIRE}, ping.target`,
    text: "A `ping` whose `target` names another member is not acknowledged (it reached the wrong process, e.g. after an address was reused).",
  },
  {
    id: "SWIM-PINGREQ-1",
    level: "MUST",
    group: "probe",
    source: `${SWIM} §3.1`,
    text: "On a `ping-req`, the node pings the target and, when the target acks, answers the requester with an `ack` carrying the requester's `seq`.",
  },
  {
    id: "SWIM-PINGREQ-2",
    level: "SHOULD",
    group: "probe",
    source: `${LIFEGUARD} §IV-C (nack)`,
    text: "On a `ping-req` whose target does not answer, the node answers the requester with a `nack` carrying its `seq`.",
  },
  {
    id: "SWIM-PINGREQ-3",
    level: "MUST",
    group: "probe",
    source: `${SWIM} §3.1`,
    text: "The node never answers a `ping-req` with an `ack` when the target did not ack.",
  },

  // ---- failure detection
  {
    id: "SWIM-PROBE-1",
    level: "MUST",
    group: "detection",
    source: `${SWIM} §4.3 (round-robin probe target selection)`,
    text: "Every member in the view is pinged within 2N − 1 protocol periods (shuffled round-robin), N the number of members.",
  },
  {
    id: "SWIM-PROBE-2",
    level: "MUST",
    group: "detection",
    source: `${SWIM} §3.1`,
    text: "When a direct ping gets no ack within the probe timeout, the node asks other members to probe the target (`ping-req`).",
  },
  {
    id: "SWIM-SUSPECT-1",
    level: "MUST",
    group: "detection",
    source: `${SWIM} §4.2`,
    text: "A member that answers neither the direct nor the indirect probes is first marked `suspect`, not `dead`.",
  },
  {
    id: "SWIM-SUSPECT-2",
    level: "MUST",
    group: "detection",
    source: `${SWIM} §4.2; ${LIFEGUARD} §IV-B`,
    text: "A suspect that is not refuted is declared `dead` once its suspicion timeout expires (bounded by the node's declared maximum when it declares one).",
  },
  {
    id: "SWIM-REFUTE-1",
    level: "MUST",
    group: "detection",
    source: `${SWIM} §4.2`,
    text: "A node that hears itself suspected at its current incarnation raises its incarnation and spreads `alive` with the new one.",
  },
  {
    id: "SWIM-REFUTE-2",
    level: "SHOULD",
    group: "detection",
    source: "memberlist (state.go, deadNode: refute)",
    text: "A node that hears itself declared dead at its current incarnation refutes it the same way.",
  },
  {
    id: "SWIM-STALE-1",
    level: "MUST",
    group: "merge",
    source: `${SWIM} §4.2`,
    text: "Updates about a member with a lower incarnation than the one held are ignored, whatever state they claim.",
  },

  // ---- dissemination
  {
    id: "SWIM-DISSEM-1",
    level: "MUST",
    group: "dissemination",
    source: `${SWIM} §4.1`,
    text: "A membership update the node learns is passed on to other members, piggybacked on its protocol messages.",
  },
  {
    id: "SWIM-RETRANSMIT-1",
    level: "MUST",
    group: "dissemination",
    source: `${SWIM} §4.1 (λ log N)`,
    text: "Each update is piggybacked a bounded number of times and then no more; when the node declares `retransmitMult`, at most retransmitMult · ⌈log10(N + 1)⌉ times.",
  },

  // ---- membership changes
  {
    id: "SWIM-LEFT-1",
    level: "MUST",
    group: "membership",
    source: `${WIRE}, state left`,
    text: "A member announced `left` is shown as left, is no longer probed, and is never declared suspect or dead afterwards.",
  },
  {
    id: "SWIM-LEFT-2",
    level: "MUST",
    group: "membership",
    source: `${WIRE}, state left; ${ADMIN}, POST /v1/leave`,
    text: "A node asked to leave spreads `left` about itself to other members.",
  },
  {
    id: "SWIM-SYNC-1",
    level: "MUST",
    group: "membership",
    source: "memberlist push-pull; " + WIRE + ", sync",
    text: "A `sync` request is answered with a `sync` carrying the node's full state (itself included), and the members it carried are merged into the node's view.",
  },

  // ---- Lifeguard
  {
    id: "LIFEGUARD-LHM-1",
    level: "SHOULD",
    group: "lifeguard",
    source: `${LIFEGUARD} §IV-A (local health multiplier); memberlist state.go refute: awareness.ApplyDelta(1)`,
    text: "Having to refute a suspicion about itself raises the node's local health score (it doubts its own timeliness).",
  },
  {
    id: "LIFEGUARD-NACK-1",
    level: "SHOULD",
    group: "lifeguard",
    source: `${LIFEGUARD} §IV-A; memberlist state.go probeNode: awarenessDelta from expected minus received nacks`,
    text: "A probe that fails while every helper asked to ping-req the target answers with a nack leaves the node's local health score unchanged: the nacks show its own links work.",
  },
  {
    id: "LIFEGUARD-CONFIRM-1",
    level: "SHOULD",
    group: "lifeguard",
    source: `${LIFEGUARD} §IV-B (dynamic suspicion timeout); memberlist suspicion.go`,
    text: "Independent confirmations of a suspicion (the same incarnation suspected by other members) shorten its timeout from its maximum toward its minimum: with the expected number of confirmations the member is declared dead before halfway between the two.",
  },
  {
    id: "LIFEGUARD-BUDDY-1",
    level: "SHOULD",
    group: "lifeguard",
    source: `${LIFEGUARD} §IV-C (buddy system); memberlist state.go probeNode: a suspect target's ping carries the suspicion`,
    text: "Every ping the node sends to a member it holds suspect carries that suspicion, so that a live member hears it and refutes even after the rumor went cold.",
  },

  // ---- key-value anti-entropy
  { id: "KV-RUMOR-1", level: "MUST", group: "kv", source: `${WIRE}, kv`, text: "Key-value entries piggybacked on a message are stored." },
  {
    id: "KV-LWW-1",
    level: "MUST",
    group: "kv",
    source: `${WIRE}, KvVersion (last writer wins)`,
    text: "An entry with a newer version (wall, logical, node) replaces the held one; an older one is ignored.",
  },
  {
    id: "KV-AE-1",
    level: "MUST",
    group: "kv",
    source: "Demers et al. 1987 (anti-entropy); " + WIRE + ", ae-tree",
    text: "The node starts anti-entropy sessions with other members (sends `ae-tree` requests) at its anti-entropy interval.",
  },
  {
    id: "KV-AE-2",
    level: "MUST",
    group: "kv",
    source: `${WIRE}, ae-tree`,
    text: "An `ae-tree` request whose hashes differ from the node's is answered with the node's hashes one level down.",
  },
  {
    id: "KV-AE-3",
    level: "MUST",
    group: "kv",
    source: `${WIRE}, ae-entries`,
    text: "An `ae-entries` request with `want` is answered with the node's entries of those leaves, and the entries it carries are merged.",
  },
  {
    id: "KV-CLOCK-1",
    level: "MUST",
    group: "kv",
    source: "Kulkarni et al. 2014 (hybrid logical clocks), bounded offset; CockroachDB's max-offset",
    text: "A key-value version whose wall time lies far ahead of the node's clock (a year) does not drag the node's clock along: a write through the node afterwards is stamped within a minute of the node's own time, and the far-future entry does not win over it.",
  },

  // ---- memberlist's wire (memberlist and what is built on it: Serf, Consul, Nomad)
  {
    id: "ML-PING-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:497–509 (handlePing)`,
    text: "The ack to a UDP ping goes to the address the ping names (SourceAddr:SourcePort) when it names one, and to the packet's source otherwise.",
  },
  {
    id: "ML-INDIRECT-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:527–534, 569–576 (handleIndirectPing)`,
    text: "The ping relayed for an indirect ping names the target (Node), carries the relaying node as its source (SourceAddr, SourcePort, SourceNode) and its own SeqNo; the target's ack is relayed with the requester's SeqNo.",
  },
  {
    id: "ML-INDIRECT-2",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:579–594 (a nack only when ind.Nack)`,
    text: "An indirect ping that does not ask for a nack (Nack false, protocol < 4) gets none when the target does not answer.",
  },
  {
    id: "ML-TCP-PING-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:280–300 (handleConn, pingMsg)`,
    text: "A ping over a TCP stream, addressed to the node, is answered with an ack carrying its SeqNo on the same stream; one addressed to another node is not.",
  },
  {
    id: "ML-TCP-PING-2",
    level: "SHOULD",
    group: "memberlist",
    source: `${ML} state.go:438–475 (probeNode: TCP fallback unless DisableTcpPings)`,
    text: "When a member's UDP pings go unanswered, the node also pings it over TCP, and a member that acks over TCP is not suspected.",
  },
  {
    id: "ML-PUSHPULL-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:255–275, 920–979 (handleConn pushPullMsg, sendLocalState)`,
    text: "A push-pull is answered with a push-pull carrying the node's whole state, itself included (alive, its address, incarnation and versions).",
  },
  {
    id: "ML-PUSHPULL-2",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:1141–1212 (mergeRemoteState), state.go:1283 (mergeState)`,
    text: "The members a join's push-pull carries are merged: each becomes alive in the node's view and the node starts probing it.",
  },
  {
    id: "ML-VSN-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} state.go:671–776 (verifyProtocol), net.go:1142–1144`,
    text: "A push-pull carrying a member whose protocol versions cannot work with the node's (its minimum above the node's maximum) is refused: none of its members is merged.",
  },
  {
    id: "ML-COMPOUND-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:464–481 (handleCompound), util.go:183–217`,
    text: "Every message of a compound packet is handled, in order.",
  },
  {
    id: "ML-COMPOUND-2",
    level: "MUST",
    group: "memberlist",
    source: `${ML} util.go:205–209 (decodeCompoundMessage: trunc)`,
    text: "A compound packet whose length table promises more bytes than it holds has its whole parts handled and the truncated rest dropped.",
  },
  {
    id: "ML-CRC-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:343–353 (ingestPacket, hasCrcMsg)`,
    text: "A CRC-checked packet (hasCrc) whose CRC-32 does not match its bytes is dropped; one whose CRC matches is handled.",
  },
  {
    id: "ML-COMPRESS-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:694–704 (handleCompressed), util.go:221–275 (LZW)`,
    text: "An LZW-compressed message (compress, Algo 0) is decompressed and handled.",
  },
  {
    id: "ML-TYPE-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:415–416 (handleCommand default)`,
    text: "A packet whose message-type byte is not one memberlist knows is dropped without a reply.",
  },
  {
    id: "ML-DECODE-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:485–488 (handlePing: decode error)`,
    text: "A message whose body does not decode as its type's struct (a field of the wrong msgpack type) is dropped without a reply.",
  },
  {
    id: "ML-ENC-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} net.go:326–336 (ingestPacket: GossipVerifyIncoming, default true), net.go:1063–1066 (readStream)`,
    text: "A keyed node drops plaintext packets and refuses plaintext streams.",
  },
  {
    id: "ML-ENC-2",
    level: "MUST",
    group: "memberlist",
    source: `${ML} security.go:171–200 (decryptPayload: no installed key opens it)`,
    text: "A keyed node drops packets sealed with a key that is not in its keyring.",
  },
  {
    id: "ML-ENC-3",
    level: "MUST",
    group: "memberlist",
    source: `${ML} security.go:88–168 (AES-GCM, versions 0 and 1), net.go:790–800 (rawSendMsgPacket)`,
    text: "A keyed node handles packets sealed with its key in either encryption version (0, PKCS#7-padded; 1, unpadded) and seals what it sends.",
  },
  {
    id: "ML-KEYRING-1",
    level: "MUST",
    group: "memberlist",
    source: `${ML} security.go:171–200 (every installed key is tried), keyring.go (primary key encrypts)`,
    text: "During key rotation a node opens packets sealed with any key of its keyring, not only the primary one.",
  },
  // ---- the heartbeat family (--detector phi)
  {
    id: "PHI-HEARTBEAT-1",
    level: "MUST",
    group: "heartbeat",
    family: "phi",
    source: `${HEARTBEAT} §3`,
    text: "A node's own heartbeat counter, as it gossips it, only rises: within one generation no heartbeat it sends is lower than one it sent before.",
  },
  {
    id: "PHI-SUPERSEDE-1",
    level: "MUST",
    group: "heartbeat",
    family: "phi",
    source: `${HEARTBEAT} §3`,
    text: "Only a heartbeat newer (higher generation, or the same generation and a higher counter) than the last one known for a member counts as an arrival: an old count relayed late does not bring back a member held dead, a newer one does.",
  },
  {
    id: "PHI-VALUE-1",
    level: "MUST",
    group: "heartbeat",
    family: "phi",
    source: `${PHI} §4 (φ = −log10 P_later), with Akka's window, minimum deviation and acceptable pause`,
    text: "The φ a node reports for a member equals the formula applied to the window it reports and the settings it declares (to 1e-6), and the window holds the intervals at which that member's heartbeats arrived.",
  },
  {
    id: "PHI-CONVICT-1",
    level: "MUST",
    group: "heartbeat",
    family: "phi",
    source: `${PHI} §3 (a threshold on φ), as Cassandra's phi_convict_threshold`,
    text: "A member whose heartbeats stop is suspect once φ reaches the suspect threshold and dead once it reaches the conviction threshold, not before either.",
  },
];

const mergeRows: Requirement[] = MERGE_TABLE.map((row) => ({
  id: mergeRequirementId(row),
  level: "MUST",
  group: "merge",
  source: row.update === "left" || row.current === "left" ? `${SWIM} §4.2, extended to \`left\` by ${WIRE}` : `${SWIM} §4.2`,
  text: describeMergeRow(row),
}));

/**
 * Groups that judge SWIM's own mechanism: probing and suspicion, Lifeguard, and the incarnation merge
 * of suspect and dead claims. Under a φ detector every node judges each member from heartbeats alone
 * and takes no one's word for a death, so these do not apply there (they SKIP, with the reason).
 */
const SWIM_FAMILY_GROUPS = new Set<Requirement["group"]>(["detection", "lifeguard", "merge"]);

/** Every requirement, validated once when the module loads: a bad entry is a bug in this file. */
export const REQUIREMENTS: readonly Requirement[] = z
  .array(Requirement)
  .parse([...listed, ...mergeRows].map((r) => (r.family === undefined && SWIM_FAMILY_GROUPS.has(r.group) ? { ...r, family: "swim" as const } : r)));

const byId = new Map(REQUIREMENTS.map((r) => [r.id, r]));
if (byId.size !== REQUIREMENTS.length) throw new Error("duplicate requirement id in specs/requirements/catalogue.ts");

export function requirement(id: string): Requirement {
  const found = byId.get(id);
  if (!found) throw new Error(`no requirement ${id} in the catalogue`);
  return found;
}
