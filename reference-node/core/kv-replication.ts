// The replicated key-value store: last-writer-wins entries, spread by rumor mongering and repaired by
// Merkle-tree anti-entropy sessions with a random member (push, pull or both).
import type { KvOrigin } from "../../specs/admin/api.js";
import type { AeEntries, AeTree, KvEntry, Message, Peer } from "../../specs/wire/messages.js";
import { MERKLE_DEPTH, WIRE_VERSION } from "../../specs/wire/messages.js";
import { compareVersions } from "../../specs/wire/version-order.js";
import { BroadcastQueue } from "./broadcast.js";
import { HybridClock } from "./hlc.js";
import { KvStore } from "./kv-store.js";
import { MerkleTree } from "./merkle.js";
import type { NodeState } from "./state.js";

const compareKey = (e: KvEntry) => `${e.version.wall}.${e.version.logical}.${e.version.node}`;

export class KvReplication {
  readonly store: KvStore;
  private readonly clock: HybridClock;
  /** Writes spreading by rumor mongering, until they go cold at the retransmit limit. */
  private readonly rumors = new BroadcastQueue<KvEntry>((e) => e.key);
  private nextSession = 1;

  constructor(private readonly s: NodeState) {
    this.clock = new HybridClock(s.id);
    this.store = s.behaviour.newestWriteWins ? new KvStore() : new KvStore((a, b) => compareVersions(a.version, b.version) < 0);
  }

  get rumorCount(): number {
    return this.rumors.size;
  }

  /** Rumors for the next message, each at most `limit` times in all, within `maxBytes`. */
  takeRumors(limit: number, maxBytes: number): KvEntry[] {
    return this.rumors.take(limit, maxBytes);
  }

  /** A client write through this node: versioned by its clock, stored, answered. */
  put(request: number, key: string, value: string | null): void {
    const entry: KvEntry = { key, value, version: this.clock.tick(this.s.now) };
    this.s.counters.kvWrites++;
    this.apply(entry, "local");
    this.s.emit({ type: "kv-written", request, key, version: entry.version });
  }

  /** Stores an entry that wins last-writer-wins; a stored entry is passed on as a rumor (infection style). */
  apply(entry: KvEntry, origin: KvOrigin): boolean {
    const s = this.s;
    this.clock.observe(entry.version, s.now);
    if (!this.store.apply(entry)) return false;
    s.counters.kvApplied++;
    if (s.config.kvRetransmitMult > 0) this.rumors.enqueue(entry);
    s.emit({ type: "kv-applied", at: s.now, key: entry.key, version: entry.version, origin });
    return true;
  }

  /**
   * Anti-entropy, as the initiator: compare Merkle roots with a random member, descend only
   * into differing branches (one exchange per level), then move the entries of the differing
   * leaves — pushed, pulled or both, by antiEntropyMode.
   */
  startSession(): void {
    const s = this.s;
    s.deadlines.set("anti-entropy", s.now + s.config.antiEntropyIntervalMs);
    const [peer] = s.random.sample(s.table.inState(["alive"], s.id), 1);
    if (!peer) return;
    s.counters.aeSessions++;
    this.sendTree({ id: peer.id, addr: peer.addr }, this.nextSession++, 0, [0]);
  }

  /** The peer's answer to our last exchange of a session: descend, move entries, or take them. */
  continueSession(pending: { session: number; peer: Peer }, message: Message | null): void {
    const s = this.s;
    if (message?.type === "ae-tree" && message.session === pending.session) {
      // The peer's children of the nodes that differed; keep those that differ from ours.
      const differing = message.nodes.filter((n) => n.hash !== this.store.tree.hash(message.level, n.index)).map((n) => n.index);
      if (differing.length === 0) return;
      if (message.level < MERKLE_DEPTH) {
        this.sendTree(pending.peer, pending.session, message.level, differing);
        return;
      }
      const mode = s.config.antiEntropyMode;
      const entries = mode === "pull" ? [] : this.store.entriesIn(differing);
      s.counters.aeRounds++;
      s.counters.aeEntriesSent += entries.length;
      s.send(
        pending.peer,
        { v: WIRE_VERSION, type: "ae-entries", from: s.peer(), session: pending.session, leaves: differing, entries, want: mode !== "push" },
        s.config.readTimeoutMs,
        { kind: "anti-entropy", session: pending.session, peer: pending.peer },
      );
      return;
    }
    if (message?.type === "ae-entries" && message.session === pending.session) {
      s.counters.aeEntriesReceived += message.entries.length;
      for (const entry of message.entries) this.apply(entry, "anti-entropy");
    }
  }

  /** As the responder: our hashes of the children of every node whose hash differs from the initiator's. */
  answerTree(request: AeTree): AeTree {
    const level = Math.min(request.level + 1, MERKLE_DEPTH);
    const nodes =
      request.level >= MERKLE_DEPTH
        ? []
        : request.nodes
            .filter((n) => n.hash !== this.store.tree.hash(request.level, n.index))
            .flatMap((n) => MerkleTree.children(n.index).map((index) => ({ index, hash: this.store.tree.hash(level, index) })));
    return { v: WIRE_VERSION, type: "ae-tree", from: this.s.peer(), session: request.session, level, nodes };
  }

  /** As the responder: take what was pushed; send back (if wanted) our entries of those leaves that the initiator lacks. */
  answerEntries(request: AeEntries): AeEntries {
    const s = this.s;
    s.counters.aeEntriesReceived += request.entries.length;
    for (const entry of request.entries) this.apply(entry, "anti-entropy");
    const pushed = new Set(request.entries.map((e) => `${e.key}\u0000${compareKey(e)}`));
    const entries = request.want ? this.store.entriesIn(request.leaves).filter((e) => !pushed.has(`${e.key}\u0000${compareKey(e)}`)) : [];
    s.counters.aeEntriesSent += entries.length;
    return { v: WIRE_VERSION, type: "ae-entries", from: s.peer(), session: request.session, leaves: request.leaves, entries, want: false };
  }

  private sendTree(peer: Peer, session: number, level: number, indices: number[]): void {
    const s = this.s;
    s.counters.aeRounds++;
    const nodes = indices.map((index) => ({ index, hash: this.store.tree.hash(level, index) }));
    s.send(peer, { v: WIRE_VERSION, type: "ae-tree", from: s.peer(), session, level, nodes }, s.config.readTimeoutMs, { kind: "anti-entropy", session, peer });
  }
}
