// The history of a run (history.ndjson): what the harness did and what every node believed, one record per line.
import { z } from "zod";
import { KvOrigin } from "../admin/api.js";
import { Incarnation, KvEntry, KvVersion, MemberId, MemberState } from "../wire/messages.js";

const common = {
  /** Epoch milliseconds. Nodes stamp their own transitions; everything runs on one machine's clock. */
  t: z.number().min(0),
  scenario: z.string(),
};
const harness = z.literal("harness");
const FaultKind = z.enum(["partition", "loss", "latency", "bandwidth", "duplicate", "reorder", "refuse", "crash", "stop", "restart", "pause", "throttle"]);

/** What was tested, when not the reference node, and what its views show. */
export const TestedImplementation = z.object({
  name: z.string(),
  shows: z.object({
    kv: z.boolean().describe("a key-value store"),
    suspect: z.boolean().describe("suspicion in its view"),
    incarnation: z.boolean().describe("incarnation numbers in its view"),
  }),
});

export const HistoryRecord = z.discriminatedUnion("type", [
  z.object({
    ...common,
    type: z.literal("scenario-start"),
    source: harness,
    nodes: z.array(MemberId),
    config: z.record(z.string(), z.unknown()),
    seed: z.number().int(),
    mutant: z.string().optional(),
    toxiproxy: z.string().describe("which Toxiproxy served the faults: given, spawned or embedded"),
    faults: z
      .enum(["proxy", "packet"])
      .optional()
      .describe("what carried the network faults: Toxiproxy proxies, or rules and a relay between network namespaces"),
    implementation: TestedImplementation.optional().describe(
      "what was tested and what its views show: checks that need what it does not show are SKIP (absent: the reference node, which shows everything)",
    ),
    runtime: z.literal("sim").optional().describe("sim: the nodes ran as reference cores on a virtual clock; t is virtual ms from 0"),
    aggregated: z
      .boolean()
      .optional()
      .describe("views recorded as view-count records plus every transition but first sightings alive (a simulated run at scale)"),
    file: z.string(),
    description: z.string(),
    checks: z.array(z.unknown()).describe("the scenario's checks as written (kind → args), so `grapevine check` can judge the history again"),
    proxies: z.record(z.string(), z.string()).describe("link (i->j) → the address its proxy listens on"),
  }),
  z.object({
    ...common,
    type: z.literal("scenario-end"),
    source: harness,
    aborted: z.string().optional(),
    skipped: z.string().optional().describe("why nothing ran: the scenario's one SKIP, so `grapevine check` gives it again"),
    datagramsUntouched: z
      .string()
      .optional()
      .describe('its datagram steps ("duplicate and reorder") found no datagram to act on: a pass is not a judgement of them, and becomes SKIP'),
  }),
  z.object({
    ...common,
    type: z.literal("node-up"),
    source: harness,
    node: MemberId,
    addr: z.string(),
    pid: z.number().int().optional(),
    readyAt: z
      .number()
      .optional()
      .describe("epoch ms when the node said it was ready; t is just before it was started, so that its first transitions come after t"),
  }),
  z.object({
    ...common,
    type: z.literal("node-down"),
    source: harness,
    node: MemberId,
    how: z.enum(["crash", "stop", "leave", "exited"]).describe("crash, stop, leave: the harness made it; exited: the node ended on its own"),
  }),
  z.object({
    ...common,
    type: z.literal("fault"),
    source: harness,
    phase: z.enum(["start", "end"]),
    id: z.number().int(),
    kind: FaultKind,
    targets: z.array(MemberId),
    params: z.record(z.string(), z.unknown()),
    settledAt: z
      .number()
      .optional()
      .describe(
        "start: when the fault was fully in effect (its last toxic installed, the freeze confirmed); end: when it was fully removed. t is when it began to take effect, or to be removed: what checks measure from",
      ),
  }),
  z.object({
    ...common,
    type: z.literal("step"),
    source: harness,
    phase: z.enum(["start", "end"]),
    index: z.number().int().min(0),
    kind: z.string(),
    args: z.unknown(),
    ok: z.boolean().optional(),
    detail: z.string().optional(),
    outcome: z
      .object({ name: z.string(), verdict: z.enum(["pass", "fail", "info", "skip"]), summary: z.string() })
      .optional()
      .describe("what a judging step (expect, wait until converged, a failed step) concluded"),
  }),
  z.object({
    ...common,
    type: z.literal("transition"),
    source: z.string().regex(/^node:/),
    observer: MemberId,
    seq: z.number().int().min(1),
    id: MemberId,
    from: MemberState.nullable(),
    to: MemberState,
    incarnation: Incarnation,
  }),
  z.object({
    ...common,
    type: z.literal("view"),
    source: z.literal("observer"),
    observer: MemberId,
    members: z.array(z.object({ id: MemberId, state: MemberState, incarnation: Incarnation })),
  }),
  z
    .object({
      ...common,
      type: z.literal("view-count"),
      source: z.literal("sim"),
      counts: z
        .record(MemberId, z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]))
        .describe("member → how many running nodes hold it [alive, suspect, dead, left]; only the members whose counts changed since the last record"),
    })
    .describe(
      "the aggregated view stream of a simulated run at scale: per member and tick, how many running nodes hold it in each state (first sightings alive are counted here, not recorded one by one)",
    ),
  z.object({ ...common, type: z.literal("observer-error"), source: z.literal("observer"), node: MemberId, error: z.string() }),
  z
    .object({
      ...common,
      type: z.literal("health"),
      source: z.enum(["observer", "sim"]),
      node: MemberId,
      score: z.number().int().min(0).describe("Lifeguard local health: 0 is healthy; each point stretches the node's probe period by one more"),
    })
    .describe(
      "a node's Lifeguard local health score, where its admin API shows one (`healthScore` in /v1/metrics): its first reading, then each change the observer sees (every 500 ms; every 100 ms of virtual time in a simulated run)",
    ),
  z
    .object({
      ...common,
      type: z.literal("traffic"),
      source: harness,
      exchanges: z.number().int().min(0).describe("exchanges the nodes started over the faultable links since the scenario began"),
    })
    .describe(
      "a sample of the traffic between nodes, about once a second: an exchange is a request and its answer, or a one-way message (wire v1 opens a connection for each); written where the fault engine can count them (the simulator, the embedded Toxiproxy-compatible server, the packet engine)",
    ),
  z
    .object({
      ...common,
      type: z.literal("wire-audit"),
      source: harness,
      requirement: z.string().describe("the catalogue's requirement the rule enforces (specs/requirements/catalogue.ts)"),
      judged: z.number().int().min(0).describe("messages the rule applied to over the whole run"),
      violations: z.number().int().min(0),
      examples: z
        .array(z.object({ at: z.number(), from: MemberId, to: MemberId, detail: z.string() }))
        .max(5)
        .describe("the first violations, at most five"),
    })
    .describe(
      "what a fault engine that sees every message and its sender's view found when it held each message to a rule of the requirement catalogue; one record per rule, at the end of the run (the simulator writes them)",
    ),
  z.object({
    ...common,
    type: z.literal("kv-write"),
    source: harness,
    node: MemberId,
    key: z.string(),
    value: z.string().nullable(),
    version: KvVersion.describe("the version the node acknowledged the write with"),
  }),
  z.object({
    ...common,
    type: z.literal("kv-applied"),
    source: z.string().regex(/^node:/),
    observer: MemberId,
    seq: z.number().int().min(1),
    key: z.string(),
    version: KvVersion,
    origin: KvOrigin,
  }),
  z.object({
    ...common,
    type: z.literal("kv-digest"),
    source: z.literal("observer"),
    observer: MemberId,
    root: z.string(),
    keys: z.number().int().min(0),
    entries: z.number().int().min(0),
  }),
  z.object({ ...common, type: z.literal("kv-snapshot"), source: z.literal("observer"), observer: MemberId, entries: z.array(KvEntry) }),
]);

export type HistoryRecord = z.infer<typeof HistoryRecord>;
export type RecordOf<T extends HistoryRecord["type"]> = Extract<HistoryRecord, { type: T }>;
export type FaultKind = z.infer<typeof FaultKind>;
export type TestedImplementation = z.infer<typeof TestedImplementation>;
