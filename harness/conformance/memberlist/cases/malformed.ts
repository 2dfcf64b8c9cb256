// Malformed and hostile input on memberlist's wire: the corpus, then generated packets. After each one
// the node must still ack a ping (WIRE-ALIVE-1, WIRE-HOSTILE-1). A node that crashes is started again
// (when the harness owns it) so that every input gets its own verdict.
import { type ConformanceCase, type Finding, finding, skip } from "../../case.js";
import { sleep } from "../../context.js";
import { type MemberlistContext, streamRequest } from "../context.js";
import { memberlistCorpus } from "../corpus.js";
import { generatedPackets } from "../generated.js";

type Case = ConformanceCase<MemberlistContext>;

/** The message types memberlist queues for its handoff goroutine instead of handling at once (net.go:382–407). */
const HANDED_OFF = new Set(["alive", "suspect", "dead", "user"]);
const HANDOFF_MS = 20;

/** How long a node that acked must keep running for the input to count as survived. */
const SETTLE_MS = 200;

/** Acked within 1 s, or within 2 s on a second try (a collection pause is not a failure); a process that exited is not tried twice. */
async function stillAnswers(ctx: MemberlistContext): Promise<boolean> {
  if (await ctx.ping(ctx.seq(), ctx.self.name, 1000)) return true;
  if (ctx.sut.exited?.()) return false;
  return !!(await ctx.ping(ctx.seq(), ctx.self.name, 2000));
}

/** After an input the node did not survive: why, and whether the run can go on (it can when the node was restarted). */
async function afterFailure(ctx: MemberlistContext): Promise<{ what: string; goOn: boolean }> {
  await sleep(200, ctx.signal);
  const crashed = ctx.sut.exited?.() ?? false;
  const report = crashed ? ctx.sut.crashReport?.() : undefined;
  const what = crashed ? `the node's process exited (crashed${report ? `: ${report}` : ""})` : "the node stopped acking pings";
  if (!ctx.sut.restart) return { what, goOn: false };
  await ctx.sut.restart();
  return { what: `${what}; restarted to go on`, goOn: await stillAnswers(ctx) };
}

async function deliver(ctx: MemberlistContext, transport: "udp" | "tcp", bytes: Uint8Array, note: string): Promise<void> {
  if (transport === "udp") ctx.driver.sendBytes(bytes, ctx.sut.wire, { note });
  else await streamRequest(ctx.sut.wire, bytes, 1000, ctx.log, ctx.keying, note);
}

export function corpusCase(): Case {
  return {
    name: "malformed input (memberlist corpus)",
    requirements: ["WIRE-ALIVE-1"],
    async run(ctx) {
      const findings: Finding[] = [];
      let stopped: string | undefined;
      for (const entry of memberlistCorpus(ctx.self.name)) {
        if (stopped) {
          findings.push(skip("WIRE-ALIVE-1", "a ping acked afterwards", `not sent: ${stopped}`, entry.id));
          continue;
        }
        await deliver(ctx, entry.transport, entry.bytes, `${entry.id}: ${entry.why}`);
        // alive, suspect and dead are handled on another goroutine after the packet's ack-worthy part (net.go:392–407):
        // a node still running a moment after its ack survived this entry, not the next one.
        const acked = await stillAnswers(ctx);
        if (acked) await sleep(SETTLE_MS, ctx.signal);
        const ok = acked && !ctx.sut.exited?.();
        const expected = `after ${entry.why} (${entry.transport}, ${entry.bytes.length} bytes), a ping acked`;
        if (ok) {
          findings.push(finding(true, "WIRE-ALIVE-1", expected, "acked", entry.id));
          continue;
        }
        const { what, goOn } = await afterFailure(ctx);
        findings.push(finding(false, "WIRE-ALIVE-1", expected, `${what}; input: ${Buffer.from(entry.bytes).toString("hex").slice(0, 120)}`, entry.id));
        if (!goOn) stopped = `the node did not survive ${entry.id} and could not be restarted`;
      }
      return findings;
    },
  };
}

export function generatedCase(count: number, seed: number): Case {
  return {
    name: `${count} generated packets (seed ${seed})`,
    requirements: ["WIRE-ALIVE-1", "WIRE-HOSTILE-1"],
    async run(ctx) {
      const packets = generatedPackets(ctx.self.name, count, seed);
      const failures = { valid: [] as string[], invalid: [] as string[] };
      const sent = { valid: 0, invalid: 0 };
      let stopped: string | undefined;
      for (const [i, packet] of packets.entries()) {
        if (ctx.signal.aborted) break;
        // A crash that came after the last packet's ack (its handoff goroutine, net.go:392–407) is that packet's.
        if (i > 0 && ctx.sut.exited?.()) {
          const last = packets[i - 1]!;
          const { what, goOn } = await afterFailure(ctx);
          failures[last.valid ? "valid" : "invalid"].push(
            `#${i - 1} ${last.type} ${Buffer.from(last.bytes).toString("hex").slice(0, 80)}: ${what} after its ack`,
          );
          if (!goOn) {
            stopped = `stopped after #${i - 1}: the node could not be restarted`;
            break;
          }
        }
        const kind = packet.valid ? "valid" : "invalid";
        sent[kind]++;
        ctx.driver.sendBytes(packet.bytes, ctx.sut.wire, { note: `generated #${i} (${kind} ${packet.type})` });
        if (await stillAnswers(ctx)) {
          // Handed off to another goroutine: give it a moment, so that a crash is pinned on this packet.
          if (HANDED_OFF.has(packet.type)) await sleep(HANDOFF_MS, ctx.signal);
          if (!ctx.sut.exited?.()) continue;
        }
        const { what, goOn } = await afterFailure(ctx);
        failures[kind].push(`#${i} ${packet.type} ${Buffer.from(packet.bytes).toString("hex").slice(0, 80)}: ${what}`);
        if (!goOn) {
          stopped = `stopped after #${i}: the node could not be restarted`;
          break;
        }
      }
      const summary = (kind: "valid" | "invalid") =>
        `${sent[kind]} sent; ${failures[kind].length} not survived${failures[kind].length ? `: ${failures[kind].slice(0, 5).join("; ")}` : ""}${stopped ? `; ${stopped}` : ""}`;
      return [
        sent.invalid > 0
          ? finding(
              failures.invalid.length === 0,
              "WIRE-ALIVE-1",
              "after each generated packet the spec does not admit, a ping acked",
              summary("invalid"),
              "generated",
            )
          : skip("WIRE-ALIVE-1", "generated packets the spec does not admit", "none was generated with this seed and count", "generated"),
        sent.valid > 0
          ? finding(failures.valid.length === 0, "WIRE-HOSTILE-1", "after each generated hostile packet the spec admits, a ping acked", summary("valid"))
          : skip("WIRE-HOSTILE-1", "generated packets the spec admits", "none was generated with this seed and count"),
      ];
    },
  };
}
