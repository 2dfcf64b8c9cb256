// The observer: polls every running node's events and views through its admin API and writes them into the history.
import type { ScenarioHistory } from "../history/writer.js";
import type { NodeApi } from "./node-api.js";

interface Watched {
  admin: NodeApi;
  /** Does it serve the key-value API? If not, only membership is collected. */
  kv: boolean;
  after: number;
  kvAfter: number;
  busy: boolean;
  failing: boolean;
  /** The local health score last recorded (a reading is recorded only when it differs); "none" once the node showed none; undefined before the first ask. */
  health: number | "none" | undefined;
}

export class Observer {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;

  /**
   * Each node is polled on its own, so a paused node (whose requests time out) never delays
   * the others. Events come every `pollMs`; a full view snapshot every `snapshotEvery` polls.
   */
  constructor(
    private readonly history: ScenarioHistory,
    private readonly pollMs = 100,
    private readonly snapshotEvery = 5,
  ) {}

  /** Starts following a node through its API; a restarted node is watched again from its first event. */
  watch(node: string, admin: NodeApi, kv = true): void {
    this.watched.set(node, { admin, kv, after: 0, kvAfter: 0, busy: false, failing: false, health: undefined });
  }

  /** Stops following a node; `finalPoll` first collects what it has not yet reported (for a node still up). */
  async unwatch(node: string, finalPoll: boolean): Promise<void> {
    const entry = this.watched.get(node);
    if (!entry) return;
    if (finalPoll) await this.poll(node, entry, false);
    this.watched.delete(node);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.ticks++;
      const snapshot = this.ticks % this.snapshotEvery === 0;
      for (const [node, entry] of this.watched) if (!entry.busy) void this.poll(node, entry, snapshot);
    }, this.pollMs);
  }

  /** Stops polling after one last collection from every node still watched, with its final key-value contents. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(
      [...this.watched].map(async ([node, entry]) => {
        await this.poll(node, entry, true);
        if (!entry.kv) return;
        try {
          const { entries } = await entry.admin.kvList();
          this.history.add({ type: "kv-snapshot", source: "observer", observer: node, entries });
        } catch (error) {
          this.history.add({ type: "observer-error", source: "observer", node, error: `final key-value snapshot: ${(error as Error).message}` });
        }
      }),
    );
  }

  /** Collects every node's outstanding events now (used before judging a condition mid-run). */
  async flush(): Promise<void> {
    await Promise.all([...this.watched].map(([node, entry]) => (entry.busy ? undefined : this.poll(node, entry, false))));
  }

  /** The node's local health score, recorded when it first shows one and whenever it changes; asked no more once it shows none. */
  private async readHealth(node: string, entry: Watched): Promise<void> {
    if (!entry.admin.health || entry.health === "none") return;
    const score = (await entry.admin.health()) ?? "none";
    if (score === entry.health) return;
    entry.health = score;
    if (score !== "none") this.history.add({ type: "health", source: "observer", t: Date.now(), node, score });
  }

  private async poll(node: string, entry: Watched, snapshot: boolean): Promise<void> {
    entry.busy = true;
    try {
      for (;;) {
        const page = await entry.admin.events(entry.after);
        for (const e of page.events) {
          this.history.add({
            type: "transition",
            source: `node:${node}`,
            t: e.at,
            observer: node,
            seq: e.seq,
            id: e.id,
            from: e.from,
            to: e.to,
            incarnation: e.incarnation,
          });
        }
        entry.after = page.next;
        if (page.events.length < 10_000) break;
      }
      for (; entry.kv;) {
        const page = await entry.admin.kvEvents(entry.kvAfter);
        for (const e of page.events) {
          this.history.add({
            type: "kv-applied",
            source: `node:${node}`,
            t: e.at,
            observer: node,
            seq: e.seq,
            key: e.key,
            version: e.version,
            origin: e.origin,
          });
        }
        entry.kvAfter = page.next;
        if (page.events.length < 10_000) break;
      }
      if (snapshot) {
        await this.readHealth(node, entry);
        if (entry.kv) {
          const digest = await entry.admin.kvDigest();
          this.history.add({ type: "kv-digest", source: "observer", observer: node, ...digest });
        }
        const view = await entry.admin.members();
        this.history.add({
          type: "view",
          source: "observer",
          observer: node,
          members: view.members.map((m) => ({ id: m.id, state: m.state, incarnation: m.incarnation })),
        });
      }
      entry.failing = false;
    } catch (error) {
      // One record per streak of failures (a paused node fails every poll until it resumes).
      if (!entry.failing) this.history.add({ type: "observer-error", source: "observer", node, error: (error as Error).message });
      entry.failing = true;
    } finally {
      entry.busy = false;
    }
  }
}
