// One direction of one proxied connection: reads chunks from a socket, runs them through the toxic chain, writes them on.
import type net from "node:net";
import type { Stream } from "../../specs/toxiproxy/api.js";
import type { ToxicDef } from "./toxic-def.js";
import { createStage, newToxicState, type ToxicState } from "./toxics/registry.js";
import type { Chunk, Stage, StageContext, StopReason } from "./toxics/stage.js";

/** A toxic on this link: its definition, whether its toxicity roll came up, and its running stage. */
interface Slot {
  def: ToxicDef;
  stage: Stage | undefined;
  state: ToxicState;
}

/** Pause reading when this much is queued, so a slow chain does not buffer without bound. */
const HIGH_WATER_BYTES = 1024 * 1024;

export interface LinkOwner {
  /** Called once the link has passed on everything its source sent and its source ended. */
  linkFinished(link: Link): void;
  close(mode: "fin" | "rst"): void;
  random(): number;
}

export class Link {
  private readonly slots: Slot[];
  private readonly queue: (Chunk | "eof")[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private stopped = false;
  private sourceEnded = false;
  private readonly ctx: StageContext;

  constructor(
    readonly stream: Stream,
    private readonly source: net.Socket,
    private readonly dest: net.Socket,
    private readonly owner: LinkOwner,
    defs: readonly ToxicDef[],
  ) {
    this.ctx = { close: (mode) => owner.close(mode), random: () => owner.random() };
    this.slots = defs.map((def) => ({ def, stage: undefined, state: newToxicState() }));
    for (const slot of this.slots) this.run(slot);
  }

  start(): void {
    this.source.on("data", (data: Buffer) => this.push({ data, readAt: performance.now() }));
    this.source.on("end", () => this.endOfSource());
    this.source.on("close", () => this.endOfSource());
  }

  /** The other direction finished: treat our source as ended too (Toxiproxy closes the whole connection). */
  endOfSource(): void {
    if (this.sourceEnded || this.stopped) return;
    this.sourceEnded = true;
    this.queue.push("eof");
    void this.pump();
  }

  /** Stops at once: nothing more is passed on, stages release their timers. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    for (const slot of this.slots) slot.stage?.stop("closed");
  }

  // ---- changes to the chain while the connection is open (Toxiproxy applies them to open links) ----

  added(def: ToxicDef): void {
    const slot: Slot = { def, stage: undefined, state: newToxicState() };
    this.slots.push(slot);
    this.run(slot);
    const previous = this.slots.at(-2);
    if (previous) this.run(previous, "rerun");
  }

  updated(def: ToxicDef): void {
    const slot = this.slots.find((s) => s.def.name === def.name);
    if (!slot) return;
    slot.def = def;
    this.run(slot, "updated");
  }

  removed(name: string): void {
    const index = this.slots.findIndex((s) => s.def.name === name);
    if (index < 0) return;
    const [slot] = this.slots.splice(index, 1);
    slot!.stage?.stop("removed");
    const previous = this.slots[index - 1];
    if (previous) this.run(previous, "rerun");
  }

  /**
   * (Re)starts a toxic on this link, rolling its toxicity as Toxiproxy does each time a stub
   * runs: when the connection opens, when the toxic is updated, and when its neighbour in the
   * chain changes. A failed roll makes the toxic a pass-through on this link.
   */
  private run(slot: Slot, reason?: StopReason): void {
    if (reason) slot.stage?.stop(reason);
    slot.stage = this.owner.random() < slot.def.toxicity ? createStage(slot.def.type, slot.def.attributes, this.ctx, slot.state) : undefined;
  }

  private push(chunk: Chunk): void {
    if (this.stopped || this.sourceEnded) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.data.length;
    if (this.queuedBytes > HIGH_WATER_BYTES) this.source.pause();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const item = this.queue.shift()!;
        if (item === "eof") {
          await this.finish();
          return;
        }
        this.queuedBytes -= item.data.length;
        if (this.queuedBytes <= HIGH_WATER_BYTES && this.source.isPaused()) this.source.resume();
        // A snapshot: a toxic added mid-chunk applies from the next chunk on.
        await this.through([...this.slots], 0, item);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async through(chain: Slot[], index: number, chunk: Chunk): Promise<void> {
    if (this.stopped) return;
    const slot = chain[index];
    if (!slot) return this.write(chunk);
    const stage = slot.stage;
    if (!stage || !this.slots.includes(slot)) return this.through(chain, index + 1, chunk);
    await stage.process(chunk, (next) => this.through(chain, index + 1, next));
  }

  private write(chunk: Chunk): Promise<void> {
    if (this.stopped || this.dest.destroyed || chunk.data.length === 0) return Promise.resolve();
    if (this.dest.write(chunk.data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.dest.off("drain", done);
        this.dest.off("close", done);
        resolve();
      };
      this.dest.once("drain", done);
      this.dest.once("close", done);
    });
  }

  private async finish(): Promise<void> {
    for (const slot of [...this.slots]) {
      if (this.stopped) return;
      await slot.stage?.end?.();
    }
    if (!this.stopped) this.owner.linkFinished(this);
  }
}
