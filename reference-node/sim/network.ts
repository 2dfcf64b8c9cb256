// The simulator's network: what happens to each message on a directed link under the faults in force.
// The model is the proxy engine's, message by message (docs: the README's "Simulation runtime"):
// - a cut link a→b blackholes what a sends to b, its requests and its replies to b's requests alike
//   (the proxy engine cuts both streams that carry a's messages to b): the waiting side hears
//   nothing until its own deadline;
// - a refused link a→b fails a's connections to b at once (after the link's delay);
// - loss on a→b drops a request a sends to b with the given probability (the exchange times out);
// - latency on a→b delays every message travelling a→b (request or reply) by latency ± jitter, uniform.
// Every random draw comes from one seeded generator, so a run replays exactly.
import { seededRandom, type Random } from "../core/random.js";
import type { MemberId } from "../../specs/wire/messages.js";

export type Link = readonly [from: MemberId, to: MemberId];

export type LinkRule =
  | { kind: "cut"; links: readonly Link[] }
  | { kind: "refuse"; links: readonly Link[] }
  | { kind: "loss"; rate: number; links?: readonly Link[] | undefined }
  | { kind: "latency"; latencyMs: number; jitterMs: number; links?: readonly Link[] | undefined };

/** What the network does with one request: deliver it after `delayMs`, refuse it, or swallow it. */
export type RequestFate = { fate: "deliver"; delayMs: number } | { fate: "refuse"; delayMs: number } | { fate: "blackhole" } | { fate: "lost" };

interface ActiveRule {
  rule: LinkRule;
  /** "from->to" keys, or undefined for every link. */
  keys: Set<string> | undefined;
}

const key = (from: MemberId, to: MemberId) => `${from}->${to}`;

export class SimNetwork {
  private readonly rules = new Map<number, ActiveRule>();
  private nextRule = 1;
  private readonly random: Random;

  /** `baseDelayMs`: the one-way delay of a clean link. */
  constructor(
    seed: number,
    readonly baseDelayMs: number,
  ) {
    this.random = seededRandom(seed);
  }

  /** Puts a rule in force; returns its id, which `remove` takes. */
  add(rule: LinkRule): number {
    const id = this.nextRule++;
    const links = rule.links;
    this.rules.set(id, { rule, keys: links ? new Set(links.map(([a, b]) => key(a, b))) : undefined });
    return id;
  }

  remove(id: number): void {
    this.rules.delete(id);
  }

  /** Removes every rule of the given kinds (all of them by default). */
  removeAll(kinds?: readonly LinkRule["kind"][]): void {
    for (const [id, active] of this.rules) if (!kinds || kinds.includes(active.rule.kind)) this.rules.delete(id);
  }

  get quiet(): boolean {
    return this.rules.size === 0;
  }

  /** The fate of a request `from` sends `to`. */
  request(from: MemberId, to: MemberId): RequestFate {
    if (this.rules.size === 0) return { fate: "deliver", delayMs: this.baseDelayMs };
    const k = key(from, to);
    if (this.isCut(k)) return { fate: "blackhole" };
    let refused = false;
    let loss = 0;
    for (const { rule, keys } of this.rules.values()) {
      if (keys && !keys.has(k)) continue;
      if (rule.kind === "refuse") refused = true;
      if (rule.kind === "loss") loss = 1 - (1 - loss) * (1 - rule.rate);
    }
    const delayMs = this.delay(k);
    if (refused) return { fate: "refuse", delayMs };
    if (loss > 0 && this.chance(loss)) return { fate: "lost" };
    return { fate: "deliver", delayMs };
  }

  /**
   * The delay of a reply travelling `from` → `to`, or undefined when a cut on that link swallows it.
   * A reply is never lost: loss acts on requests, as the proxy engine's does.
   */
  reply(from: MemberId, to: MemberId): number | undefined {
    if (this.rules.size === 0) return this.baseDelayMs;
    const k = key(from, to);
    return this.isCut(k) ? undefined : this.delay(k);
  }

  /** Whether a cut rule covers the link `k`: what travels on it, request or reply, is swallowed. */
  private isCut(k: string): boolean {
    for (const { rule, keys } of this.rules.values()) if (rule.kind === "cut" && (!keys || keys.has(k))) return true;
    return false;
  }

  private delay(k: string): number {
    let delay = this.baseDelayMs;
    for (const { rule, keys } of this.rules.values()) {
      if (rule.kind !== "latency" || (keys && !keys.has(k))) continue;
      const jitter = rule.jitterMs > 0 ? this.random.int(2 * rule.jitterMs + 1) - rule.jitterMs : 0;
      delay += Math.max(0, rule.latencyMs + jitter);
    }
    return delay;
  }

  /** True with probability p (to a millionth). */
  private chance(p: number): boolean {
    return this.random.int(1_000_000) < p * 1_000_000;
  }
}
