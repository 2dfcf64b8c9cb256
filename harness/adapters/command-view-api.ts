// Grapevine's admin API shape over an adapter's view command (e.g. `serf members -format=json`):
// the view is read at most every `minIntervalMs`, and each change between two readings becomes a
// transition, timed at the reading that saw it. So a transition's time is accurate to the interval,
// and a state held for less than it may go unseen: the price of an implementation that only answers
// "who is in your view now?". Key-value calls are refused: such an implementation has no store here.
import { execa } from "execa";
import type { MembershipEvent, MembersResponse } from "../../specs/admin/api.js";
import type { CommandView } from "../../specs/adapter/manifest.js";
import type { MemberState } from "../../specs/wire/messages.js";
import { AdminCallError } from "../observe/admin-client.js";
import type { NodeApi } from "../observe/node-api.js";
import { mapView } from "./manifest.js";

/** The health score at a dotted `field` of `json`; undefined when the path is absent; an error when it is there but no whole number ≥ 0. */
export function healthAt(json: unknown, field: string): number | undefined {
  let value: unknown = json;
  for (const key of field.split(".")) {
    if (value === null || typeof value !== "object" || !(key in value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  const score = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof score !== "number" || !Number.isInteger(score) || score < 0)
    throw new AdminCallError(`health field "${field}" is ${JSON.stringify(value)}, not a whole number ≥ 0`);
  return score;
}

/** Runs `argv` and parses what it prints; a failed, timed-out or non-JSON run is an AdminCallError. */
async function runJson(argv: string[]): Promise<unknown> {
  const result = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: 3000 });
  if (result.exitCode !== 0)
    throw new AdminCallError(`${argv.join(" ")}: ${result.timedOut ? "timed out" : `exit ${result.exitCode}`} ${String(result.stderr).slice(0, 300)}`);
  try {
    return JSON.parse(String(result.stdout));
  } catch (error) {
    throw new AdminCallError(`${argv.join(" ")}: not JSON: ${(error as Error).message}`);
  }
}

export class CommandViewApi implements NodeApi {
  readonly baseUrl: string;
  private readonly log: MembershipEvent[] = [];
  private readonly current = new Map<string, { addr: string; state: MemberState; since: number }>();
  private reading: Promise<void> | undefined;
  private readAt = 0;
  /**
   * The node's local health score, where the manifest says how to read it (view.health): the score
   * at its `field` in the health command's JSON, run when the observer asks (each view snapshot,
   * every 500 ms). A missing field means the node shows none; anything else that is not a whole
   * number ≥ 0 is an error.
   */
  readonly health?: () => Promise<number | undefined>;

  constructor(
    private readonly self: string,
    private readonly argv: string[],
    private readonly view: CommandView,
    private readonly minIntervalMs = 250,
    /** view.health.command, filled in for this node. */
    healthArgv?: string[],
  ) {
    this.baseUrl = `command: ${argv.join(" ")}`;
    if (healthArgv && view.health) {
      const field = view.health.field;
      this.health = async () => healthAt(await runJson(healthArgv), field);
    }
  }

  async members(): Promise<MembersResponse> {
    await this.refresh();
    return { self: this.self, members: [...this.current].map(([id, m]) => ({ id, addr: m.addr, state: m.state, incarnation: 0, since: m.since })) };
  }

  async events(after = 0): Promise<{ events: MembershipEvent[]; next: number }> {
    await this.refresh();
    return { events: this.log.slice(Math.max(0, after)), next: this.log.length };
  }

  leave(): never {
    throw new AdminCallError(`${this.baseUrl}: this implementation leaves on its stop signal, not through an admin API`);
  }

  node(): never {
    throw new AdminCallError(`${this.baseUrl}: this implementation has no admin API (its view is read through a command)`);
  }
  metrics = (): never => this.node();

  private noStore(): never {
    throw new AdminCallError(`${this.self}: this implementation has no key-value store`);
  }
  kvPut = (): never => this.noStore();
  kvDelete = (): never => this.noStore();
  kvList = (): never => this.noStore();
  kvDigest = (): never => this.noStore();
  kvEvents = (): never => this.noStore();

  /** Reads the view unless it was read less than minIntervalMs ago; one reading at a time. */
  private refresh(): Promise<void> {
    if (this.reading) return this.reading;
    if (Date.now() - this.readAt < this.minIntervalMs) return Promise.resolve();
    this.reading = this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    const json = await runJson(this.argv);
    const at = Date.now();
    this.readAt = at;
    for (const member of mapView(json, this.view)) {
      const known = this.current.get(member.id);
      if (known?.state === member.state) continue;
      this.current.set(member.id, { addr: member.addr, state: member.state, since: at });
      this.log.push({ seq: this.log.length + 1, at, id: member.id, from: known?.state ?? null, to: member.state, incarnation: 0 });
    }
  }
}
