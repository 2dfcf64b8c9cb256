// The membership table and SWIM §4.2's merge rules: which update about a member wins.
import type { MemberView } from "../../specs/admin/api.js";
import type { Address, MemberId, MemberState, Update } from "../../specs/wire/messages.js";
import type { Random } from "./random.js";

/** A member as this node holds it: what GET /v1/members shows (`since`: the `now` of the step that changed its state). */
export type Member = MemberView;

/** What an update claims, reduced to what the merge rules look at. */
export interface Claim {
  state: MemberState;
  incarnation: number;
}

/**
 * Does `update` override what we hold (`current`, undefined when the member is unknown)?
 * SWIM §4.2 with Lifeguard's reading, as DESIGN states it:
 * - alive(i) beats suspect/alive/dead/left(j) iff i > j
 * - suspect(i) beats alive(j) iff i ≥ j, and suspect(j) iff i > j; never dead or left
 * - dead(i) beats alive/suspect(j) iff i ≥ j
 * - left(i) beats alive/suspect/dead(j) iff i ≥ j; left is final for its incarnation
 * Only `alive` introduces an unknown member: rumours about strangers are dropped.
 */
export function supersedes(update: Claim, current: Claim | undefined): boolean {
  if (current === undefined) return update.state === "alive";
  const i = update.incarnation;
  const j = current.incarnation;
  switch (update.state) {
    case "alive":
      return i > j;
    case "suspect":
      if (current.state === "alive") return i >= j;
      if (current.state === "suspect") return i > j;
      return false;
    case "dead":
      return (current.state === "alive" || current.state === "suspect") && i >= j;
    case "left":
      if (current.state === "left") return i > j;
      return i >= j;
  }
}

/** Alive or suspect: a member the node still probes and counts in N. */
export const isLive = (state: MemberState | undefined): boolean => state === "alive" || state === "suspect";

export interface Transition {
  id: MemberId;
  from: MemberState | null;
  to: MemberState;
  incarnation: number;
}

/**
 * Numbers for strings (member ids, addresses), handed out in the order first seen and never taken
 * back. A node's table keeps its members in arrays indexed by these numbers. The simulator gives one
 * pair of numberings to all the cores of a cluster, so that ten thousand tables of ten thousand
 * members each hold one byte of state and a few numbers per member rather than a map entry and an
 * object each (issue: 10,000 simulated nodes in 4 GB). A process's node has its own.
 */
export class Numbering {
  private readonly numbers = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly listed = new WeakMap<readonly string[], Int32Array>();

  /** The number of `name`, given one if it has none yet. */
  of(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.numbers.set(name, n);
      this.names.push(name);
    }
    return n;
  }

  /**
   * The numbers of `names`, kept with that array: a simulator hands the same list of a formed
   * cluster's members to each of its nodes, and looking up 10,000 names 10,000 times would cost more
   * than the rest of forming.
   */
  ofAll(names: readonly string[]): Int32Array {
    let numbers = this.listed.get(names);
    if (!numbers) this.listed.set(names, (numbers = Int32Array.from(names, (name) => this.of(name))));
    return numbers;
  }

  /** The number of `name`, or undefined if it was never numbered. */
  find(name: string): number | undefined {
    return this.numbers.get(name);
  }

  name(n: number): string {
    return this.names[n]!;
  }

  get size(): number {
    return this.names.length;
  }
}

/** The members of a cluster formed before the run (SwimNode.assumeFormed): ids and their addresses, index by index. */
export interface FormedCluster {
  ids: readonly MemberId[];
  addrs: readonly Address[];
}

/** The numberings a table uses: one for member ids, one for addresses. */
export interface TableNumberings {
  ids: Numbering;
  addrs: Numbering;
}

export const newNumberings = (): TableNumberings => ({ ids: new Numbering(), addrs: new Numbering() });

// A member's state as one byte; 0 is "not in this table".
const NONE = 0;
const CODES: readonly (MemberState | undefined)[] = [undefined, "alive", "suspect", "dead", "left"];
const CODE: Record<MemberState, number> = { alive: 1, suspect: 2, dead: 3, left: 4 };
/** An incarnation too large for 32 bits is kept aside (they are rare: memberlist's are uint32). */
const BIG = 0xffffffff;

/** One member as the table's arrays hold it, handed to sampling predicates without building a Member. */
export interface Slot {
  state: MemberState;
  since: number;
  id: MemberId;
}

/**
 * One node's view of the membership: state, incarnation, address and `since` for each member, in
 * arrays indexed by member number (structure of arrays). Lists of members are built when asked for;
 * random choices among members draw numbers at random rather than list every member (`sample`).
 */
export class MembershipTable {
  private capacity = 0;
  private state = new Uint8Array(0);
  private incarnation = new Uint32Array(0);
  private readonly bigIncarnations = new Map<number, number>();
  private addr = new Uint32Array(0);
  private since = new Float64Array(0);
  /** Members per state code (index 0 unused). */
  private readonly counts = [0, 0, 0, 0, 0];
  /** Raised by every change, so that what is built from the table (`derived`) knows when it is stale. */
  private version = 0;
  private readonly cache = new Map<string, { version: number; value: unknown }>();

  constructor(private readonly numberings: TableNumberings = newNumberings()) {}

  get(id: MemberId): Member | undefined {
    const n = this.numberings.ids.find(id);
    return n === undefined || n >= this.capacity || this.state[n] === NONE ? undefined : this.member(n);
  }

  /** The member's state, or undefined when it is not in the table (cheaper than `get`). */
  stateOf(id: MemberId): MemberState | undefined {
    const n = this.numberings.ids.find(id);
    return n === undefined || n >= this.capacity ? undefined : CODES[this.state[n]!];
  }

  /** Every member, in the order of their numbers. */
  all(): Member[] {
    const out: Member[] = [];
    for (let n = 0; n < this.capacity; n++) if (this.state[n] !== NONE) out.push(this.member(n));
    return out;
  }

  /** Members in one of the given states, `except` left out (usually the node itself). */
  inState(states: readonly MemberState[], except?: MemberId): Member[] {
    const wanted = this.codes(states);
    const out: Member[] = [];
    for (let n = 0; n < this.capacity; n++) if (wanted[this.state[n]!] && this.numberings.ids.name(n) !== except) out.push(this.member(n));
    return out;
  }

  /** How many members are in one of the given states. */
  count(states: readonly MemberState[]): number {
    return states.reduce((sum, s) => sum + this.counts[CODE[s]]!, 0);
  }

  /**
   * Up to k distinct members for which `accept` holds, `except` left out (usually the node itself),
   * chosen uniformly at random and returned in random order: what
   * `random.sample(inState(...).filter(accept), k)` gives, without listing the table. Members are
   * drawn by number and rejected until k are found; when acceptable members are too sparse for that
   * to finish soon (most of the cluster dead, say), it lists them after all.
   */
  sample(k: number, random: Random, accept: (slot: Slot) => boolean, except?: MemberId): Member[] {
    if (k <= 0 || this.capacity === 0) return [];
    const excluded = except === undefined ? -1 : (this.numberings.ids.find(except) ?? -1);
    const slot: Slot = { state: "alive", since: 0, id: "" };
    const ok = (n: number): boolean => {
      const code = this.state[n]!;
      if (code === NONE || n === excluded) return false;
      slot.state = CODES[code]!;
      slot.since = this.since[n]!;
      slot.id = this.numberings.ids.name(n);
      return accept(slot);
    };
    const chosen: number[] = [];
    const picked = new Set<number>();
    // Enough draws to find k among members that are at least a quarter of the numbers, almost surely.
    for (let draws = 0; draws < 16 * k + 32 && chosen.length < k; draws++) {
      const n = random.int(this.capacity);
      if (!picked.has(n) && ok(n)) {
        picked.add(n);
        chosen.push(n);
      }
    }
    if (chosen.length < k) {
      const all: number[] = [];
      for (let n = 0; n < this.capacity; n++) if (ok(n)) all.push(n);
      return random.sample(all, k).map((n) => this.member(n));
    }
    return chosen.map((n) => this.member(n));
  }

  /** Something built from the table (a push-pull's member list), kept until the table next changes. */
  derived<T>(key: string, build: () => T): T {
    const hit = this.cache.get(key);
    if (hit && hit.version === this.version) return hit.value as T;
    const value = build();
    this.cache.set(key, { version: this.version, value });
    return value;
  }

  /**
   * Overwrites a member's record with what an accepted update says. Returns the state
   * transition, or null when only the incarnation or address moved.
   */
  set(update: Pick<Update, "id" | "addr" | "state" | "incarnation">, now: number): Transition | null {
    const n = this.numberings.ids.of(update.id);
    if (n >= this.capacity) this.grow(n + 1);
    const before = this.state[n]!;
    const code = CODE[update.state];
    const changed = before !== code;
    this.version++;
    if (before !== NONE) this.counts[before]!--;
    this.counts[code]!++;
    this.state[n] = code;
    this.setIncarnation(n, update.incarnation);
    this.addr[n] = this.numberings.addrs.of(update.addr);
    if (changed) this.since[n] = now;
    return changed ? { id: update.id, from: CODES[before] ?? null, to: update.state, incarnation: update.incarnation } : null;
  }

  /**
   * Adds each member of `formed` this table does not hold, alive at incarnation 0 since `now`, and
   * returns their numbers (SwimNode.assumeFormed). No transition is returned: nobody is watching.
   */
  assumeAlive(formed: FormedCluster, now: number): Int32Array {
    const ids = this.numberings.ids.ofAll(formed.ids);
    const addrs = this.numberings.addrs.ofAll(formed.addrs);
    let top = 0;
    for (const n of ids) top = Math.max(top, n);
    if (top >= this.capacity) this.grow(top + 1);
    const added = new Int32Array(ids.length);
    let count = 0;
    for (let i = 0; i < ids.length; i++) {
      const n = ids[i]!;
      if (this.state[n] !== NONE) continue;
      this.state[n] = CODE.alive;
      this.incarnation[n] = 0;
      this.addr[n] = addrs[i]!;
      this.since[n] = now;
      added[count++] = n;
    }
    this.counts[CODE.alive]! += count;
    this.version++;
    return added.subarray(0, count);
  }

  /** Forgets a member (reaped after gossip-to-the-dead): only an `alive` can introduce it again. */
  remove(id: MemberId): void {
    const n = this.numberings.ids.find(id);
    if (n === undefined || n >= this.capacity || this.state[n] === NONE) return;
    this.version++;
    this.counts[this.state[n]!]!--;
    this.state[n] = NONE;
    this.bigIncarnations.delete(n);
  }

  /** N as the protocol counts it for its log(N) scaling: members not dead or left, self included. */
  estimatedSize(): number {
    return Math.max(1, this.counts[CODE.alive]! + this.counts[CODE.suspect]!);
  }

  private member(n: number): Member {
    return {
      id: this.numberings.ids.name(n),
      addr: this.numberings.addrs.name(this.addr[n]!) as Address,
      state: CODES[this.state[n]!]!,
      incarnation: this.incarnation[n] === BIG ? this.bigIncarnations.get(n)! : this.incarnation[n]!,
      since: this.since[n]!,
    };
  }

  private setIncarnation(n: number, incarnation: number): void {
    if (incarnation < BIG) {
      this.incarnation[n] = incarnation;
      this.bigIncarnations.delete(n);
    } else {
      this.incarnation[n] = BIG;
      this.bigIncarnations.set(n, incarnation);
    }
  }

  private codes(states: readonly MemberState[]): boolean[] {
    const wanted = [false, false, false, false, false];
    for (const s of states) wanted[CODE[s]] = true;
    return wanted;
  }

  /**
   * Room for member number `needed - 1`. Tables sharing a numbering grow to all the numbers handed
   * out so far, at once; a table with a numbering of its own grows in steps of at least 64.
   */
  private grow(needed: number): void {
    const size = Math.max(needed, this.numberings.ids.size, Math.min(2 * this.capacity, needed + 63));
    const widen = <A extends Uint8Array | Uint32Array | Float64Array>(old: A, make: (n: number) => A): A => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.state = widen(this.state, (k) => new Uint8Array(k));
    this.incarnation = widen(this.incarnation, (k) => new Uint32Array(k));
    this.addr = widen(this.addr, (k) => new Uint32Array(k));
    this.since = widen(this.since, (k) => new Float64Array(k));
    this.capacity = size;
  }
}
