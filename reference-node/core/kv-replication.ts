// The replicated key-value store: last-writer-wins entries, spread by rumor mongering and repaired by
// Merkle-tree anti-entropy sessions with a random member (push, pull or both).
import type { KvOrigin } from "../../specs/admin/api.js";
import type { AeEntries, AeTree, KvEntry, Message, Peer } from "../../specs/wire/messages.js";
import { MERKLE_DEPTH, MERKLE_FANOUT, WIRE_VERSION } from "../../specs/wire/messages.js";
import { compareVersions } from "../../specs/wire/version-order.js";
import { BroadcastQueue } from "./broadcast.js";
import { fitInFrame } from "./frame-budget.js";
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
    const entry: KvEntry = { key, value, version: this.clock.tick(this.s.wall) };
    this.s.counters.kvWrites++;
    this.apply(entry, "local");
    this.s.emit({ type: "kv-written", request, key, version: entry.version });
  }

  /** Stores an entry that wins last-writer-wins; a stored entry is passed on as a rumor (infection style). */
  apply(entry: KvEntry, origin: KvOrigin): boolean {
    const s = this.s;
    const maxOffsetMs = s.behaviour.boundedClock ? s.config.kvMaxClockOffsetMs : Number.POSITIVE_INFINITY;
    if (origin !== "local" && !this.clock.observe(entry.version, s.wall, maxOffsetMs)) {
      s.counters.kvClockRejections++;
      return false;
    }
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
    const [peer] = s.table.sample(1, s.random, (m) => m.state === "alive", s.id);
    if (!peer) return;
    s.counters.aeSessions++;
    this.sendTree({ id: peer.id, addr: peer.addr }, this.nextSession++, 0, [0]);
  }

  /** The peer's answer to our last exchange of a session: descend, move entries, or take them. */
  continueSession(pending: { session: number; peer: Peer }, message: Message | null): void {
    const s = this.s;
    if (message?.type === "ae-tree" && message.session === pending.session) {
      // The peer's children of the nodes that differed; keep those that differ from ours.
      const width = MERKLE_FANOUT ** message.level;
      const differing = [...new Map(message.nodes.map((n) => [n.index, n.hash]))]
        .filter(([index, hash]) => index < width && hash !== this.store.tree.hash(message.level, index))
        .map(([index]) => index);
      if (differing.length === 0) return;
      if (message.level < MERKLE_DEPTH) {
        this.sendTree(pending.peer, pending.session, message.level, differing);
        return;
      }
      const mode = s.config.antiEntropyMode;
      const envelope: AeEntries = {
        v: WIRE_VERSION,
        type: "ae-entries",
        from: s.peer(),
        session: pending.session,
        leaves: differing,
        entries: [],
        want: mode !== "push",
      };
      // What does not fit in one frame goes in a later session: the leaves still differ then.
      const entries = mode === "pull" ? [] : fitInFrame(envelope, this.store.entriesIn(differing));
      s.counters.aeRounds++;
      s.counters.aeEntriesSent += entries.length;
      s.send(pending.peer, { ...envelope, entries }, s.config.readTimeoutMs, { kind: "anti-entropy", session: pending.session, peer: pending.peer });
      return;
    }
    if (message?.type === "ae-entries" && message.session === pending.session) {
      s.counters.aeEntriesReceived += message.entries.length;
      for (const entry of message.entries) this.apply(entry, "anti-entropy");
    }
  }

  /**
   * As the responder: our hashes of the children of every node whose hash differs from the initiator's.
   * The schema admits any index at any level, and repeats; only the nodes that exist at that level are
   * answered, each once, so the reply is at most one level's worth of hashes.
   */
  answerTree(request: AeTree): AeTree {
    const level = Math.min(request.level + 1, MERKLE_DEPTH);
    const width = MERKLE_FANOUT ** request.level;
    const asked = new Map(request.nodes.filter((n) => n.index < width).map((n) => [n.index, n.hash]));
    const nodes =
      request.level >= MERKLE_DEPTH
        ? []
        : [...asked]
            .filter(([index, hash]) => hash !== this.store.tree.hash(request.level, index))
            .flatMap(([index]) => MerkleTree.children(index).map((child) => ({ index: child, hash: this.store.tree.hash(level, child) })));
    return { v: WIRE_VERSION, type: "ae-tree", from: this.s.peer(), session: request.session, level, nodes };
  }

  /** As the responder: take what was pushed; send back (if wanted) our entries of those leaves that the initiator lacks. */
  answerEntries(request: AeEntries): AeEntries {
    const s = this.s;
    s.counters.aeEntriesReceived += request.entries.length;
    for (const entry of request.entries) this.apply(entry, "anti-entropy");
    const pushed = new Set(request.entries.map((e) => `${e.key}\u0000${compareKey(e)}`));
    const leaves = [...new Set(request.leaves)];
    const envelope: AeEntries = { v: WIRE_VERSION, type: "ae-entries", from: s.peer(), session: request.session, leaves, entries: [], want: false };
    // Capped at one frame; the initiator's next session finds the leaves still differing and pulls the rest.
    const entries = request.want
      ? fitInFrame(
          envelope,
          this.store.entriesIn(leaves).filter((e) => !pushed.has(`${e.key}\u0000${compareKey(e)}`)),
        )
      : [];
    s.counters.aeEntriesSent += entries.length;
    return { ...envelope, entries };
  }

  private sendTree(peer: Peer, session: number, level: number, indices: number[]): void {
    const s = this.s;
    s.counters.aeRounds++;
    const nodes = indices.map((index) => ({ index, hash: this.store.tree.hash(level, index) }));
    s.send(peer, { v: WIRE_VERSION, type: "ae-tree", from: s.peer(), session, level, nodes }, s.config.readTimeoutMs, { kind: "anti-entropy", session, peer });
  }
}
