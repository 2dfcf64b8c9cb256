// An adapter manifest: how Grapevine starts, watches and faults a node of another gossip implementation.
import { z } from "zod";
import { MemberState } from "../wire/messages.js";

const PortName = z.string().regex(/^[a-z][a-zA-Z0-9]*$/, "a port name: letters and digits, starting lower-case");

/**
 * Where a template may say {id}, {host} (the address the node must bind and advertise: 127.0.0.1,
 * or its own namespace's address under packet-level faults), {<port>} (this node's ports), {dir}
 * (the manifest's folder) or, in seedArgs, {seed} (the seed's gossip host:port) and {seed.<port>}.
 */
const Template = z.array(z.string()).min(1);

const CommandView = z
  .object({
    kind: z.literal("command"),
    command: Template.describe("prints this node's view as JSON, e.g. serf members -format=json"),
    members: z.string().min(1).describe("the key of the member list in that JSON"),
    fields: z.object({ id: z.string(), addr: z.string(), state: z.string() }).strict().describe("which key of each member holds its id, address and state"),
    states: z.record(z.string(), MemberState).describe("the implementation's state names mapped onto Grapevine's (e.g. failed → dead)"),
    health: z
      .object({
        command: Template.describe("prints JSON that holds the node's local health score, e.g. serf info -format=json"),
        field: z
          .string()
          .regex(/^[^.]+(\.[^.]+)*$/, "a dotted path of keys, e.g. serf.health_score")
          .describe("where the score is in that JSON, as a dotted path of keys; a number, or a string of digits"),
      })
      .strict()
      .optional()
      .describe(
        "how to read the node's Lifeguard local health score, for the health check; run with each view snapshot, every 500 ms. Without it the check is SKIP",
      ),
  })
  .strict();

const AdminView = z
  .object({ kind: z.literal("admin"), url: z.string().describe("the node's admin API (Grapevine's /v1 shape), e.g. http://127.0.0.1:{admin}") })
  .strict();

/**
 * A detector setting the implementation lets a bench choose: SWIM's suspicion multiplier (memberlist
 * SuspicionMult) or a φ-accrual detector's conviction threshold. `args` are appended to
 * start.command with {value} the chosen value, as memberlist's agent takes -suspicion-mult={value}.
 */
const Tunable = z
  .object({
    setting: z.enum(["suspicionMult", "phiConvictThreshold"]).describe("suspicionMult sweeps with SWIM's multipliers, phiConvictThreshold with φ's thresholds"),
    args: Template.refine((args) => args.some((a) => a.includes("{value}")), "an argument must say {value}").describe(
      "appended to start.command; {value} is the setting's value",
    ),
    min: z.number().int().min(1).describe("the least value it accepts"),
    max: z.number().int().min(1).describe("the greatest value it accepts"),
  })
  .strict()
  .refine((t) => t.min <= t.max, { message: "min is more than max", path: ["min"] });

export const AdapterManifest = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and '-'"),
    description: z.string().min(1),
    version: Template.optional().describe("prints the implementation's version, recorded in reports"),
    ports: z.array(PortName).min(1).describe("ports each node needs, each given a free one; the first is its gossip port unless `gossip` names another"),
    gossip: PortName.optional().describe("the port members gossip on (UDP and TCP), which network faults act on (default: the first of `ports`)"),
    build: z
      .object({
        command: Template.describe("builds what `start` runs"),
        cwd: z.string().default(".").describe("where the command runs, relative to the manifest's folder"),
        creates: z.string().min(1).describe("the file it makes, relative to the manifest's folder: built when missing"),
        env: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .optional(),
    start: z
      .object({
        command: Template,
        seedArgs: z.array(z.string()).default([]).describe("appended for each seed (node 1 for every other node)"),
        env: z.record(z.string(), z.string()).default({}),
        stopSignal: z.enum(["SIGINT", "SIGTERM"]).default("SIGTERM").describe("the signal that makes a node leave gracefully"),
        readyTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
      })
      .strict(),
    view: z.discriminatedUnion("kind", [CommandView, AdminView]),
    wire: z
      .object({
        protocol: z.literal("memberlist").describe("the wire it speaks, which `grapevine conformance --sut` checks it on"),
        keyringArgs: Template.optional().describe(
          "appended to start.command to key a node: {keyring} is a JSON file of base64 keys, the first one primary (Serf's -keyring-file). Without it the encryption requirements are SKIP",
        ),
        leave: z
          .union([
            z.literal("memberlist").describe("a member leaves as memberlist says it: a dead message from itself, shown as left"),
            z.object({ unsupported: z.string().min(1).describe("why a memberlist-level leave is not what its view shows as left") }).strict(),
          ])
          .default("memberlist"),
      })
      .strict()
      .optional()
      .describe("the gossip wire it speaks, when conformance can check it (memberlist's: memberlist, Serf, Consul, …)"),
    visible: z
      .object({
        suspect: z.boolean().describe("does the view show suspicion (or only alive/dead)?"),
        kv: z.boolean().default(false).describe("does it serve Grapevine's key-value API (/v1/kv…)? Key-value scenarios are SKIP without it"),
        incarnation: z.boolean().default(false).describe("does its view give each member's incarnation? Checks of incarnation order are SKIP without it"),
      })
      .strict(),
    leave: z.enum(["admin", "signal"]).default("signal").describe("how a node is made to leave: POST /v1/leave on its admin API, or start.stopSignal"),
    faults: z
      .object({
        crash: z.boolean(),
        pause: z.boolean(),
        stop: z.boolean(),
        network: z.union([
          z.literal(true).describe("through Grapevine's per-link proxies: it dials the addresses of a dial map"),
          z.literal("packet").describe("on its packets: it binds and advertises {host}, and runs in a network namespace of its own (root, nft)"),
          z.object({ unsupported: z.string().min(1).describe("why network faults cannot reach it") }).strict(),
        ]),
      })
      .strict(),
    tunable: z
      .array(Tunable)
      .default([])
      .refine((list) => new Set(list.map((t) => t.setting)).size === list.length, "each setting at most once")
      .describe("settings `grapevine bench tradeoff` may sweep: each one's start arguments and the values it accepts"),
    timing: z
      .object({
        source: z.string().min(1).describe("where these settings come from"),
        probeIntervalMs: z.number().positive(),
        probeTimeoutMs: z.number().positive(),
        suspicionMult: z.number().positive(),
        suspicionMaxTimeoutMult: z.number().positive().optional(),
        gossipIntervalMs: z.number().positive().optional(),
        pushPullIntervalMs: z.number().positive().optional().describe("full-state sync interval: the push-pull term of scenario bounds"),
        awarenessMaxMultiplier: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe("Lifeguard's cap on the local health multiplier (memberlist AwarenessMaxMultiplier): the probe-round-degraded term"),
        indirectChecks: z.number().int().min(0).optional(),
        retransmitMult: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe(
            "each update is piggybacked at most retransmitMult · ⌈log10(N + 1)⌉ times (memberlist RetransmitMult): conformance's SWIM-RETRANSMIT-1 bound",
          ),
        probeOrder: z
          .enum(["round-robin", "random"])
          .optional()
          .describe(
            "how each member picks whom to probe: round-robin over a shuffled list (SWIM §4.3, memberlist) or a uniformly random member each period (SWIM §3.1); sets which expectation a bench compares against (absent: random, said in the report)",
          ),
      })
      .strict()
      .describe("the timing the implementation runs with, so that comparisons say which settings each side had"),
  })
  .strict();

export type AdapterManifest = z.infer<typeof AdapterManifest>;
/** The protocol timing an implementation declares it runs with. */
export type DeclaredTiming = AdapterManifest["timing"];
export type CommandView = z.infer<typeof CommandView>;
export type Tunable = z.infer<typeof Tunable>;
