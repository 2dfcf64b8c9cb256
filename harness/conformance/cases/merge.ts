// Every row of the merge table, and stale updates: told through the wire's driver (updates piggybacked on wire v1,
// alive/suspect/dead messages on memberlist's), judged on the implementation's view.
import type { MemberView } from "../../../specs/admin/api.js";
import { describeMergeRow, MERGE_TABLE, type MergeRow, mergeRequirementId } from "../../../specs/requirements/merge-table.js";
import type { MemberState, Update } from "../../../specs/wire/messages.js";
import { type ConformanceCase, type Finding, finding, type MembershipDriver, skip } from "../case.js";
import { pollFor, sleep } from "../context.js";

/** The incarnation every row's member is held at; the row's update uses one less, the same, or one more. */
const HELD = 5;

interface Claim {
  state: MemberState;
  incarnation: number;
}

const show = (claim: Claim | undefined) => (claim ? `${claim.state}(${claim.incarnation})` : "absent");
const sameClaim = (view: MemberView | undefined, claim: Claim | undefined) =>
  claim === undefined ? view === undefined : view !== undefined && view.state === claim.state && view.incarnation === claim.incarnation;

/** How long an update that should win is given to show up, and how long one that should not is watched. */
const SHOW_UP_MS = 3000;
const SETTLE_MS = 400;

interface Planned {
  row: MergeRow;
  id: string;
  held?: Claim;
  update: Update;
  expected?: Claim;
}

function plan(ctx: MembershipDriver, row: MergeRow): Planned {
  const id = ctx.memberId(`merge-${row.update}-${row.current}`);
  const incarnation = row.relation === "lower" ? HELD - 1 : row.relation === "higher" ? HELD + 1 : HELD;
  const update: Update = { state: row.update, id, addr: ctx.shared.addr, incarnation, by: ctx.driver.id };
  const held = row.current === "unknown" ? undefined : { state: row.current, incarnation: HELD };
  const expected = row.wins ? { state: row.update, incarnation } : held;
  return { row, id, update, ...(held ? { held } : {}), ...(expected ? { expected } : {}) };
}

/**
 * All rows at once, each on its own made-up member: (1) alive at the held incarnation, (2) the held
 * state, (3) the row's update. Three messages instead of a hundred, so the whole table takes seconds.
 */
const mergeTable: ConformanceCase<MembershipDriver> = {
  name: "merge table",
  requirements: MERGE_TABLE.map(mergeRequirementId),
  needs: ["admin", "incarnation"],
  async run(ctx) {
    const unsayable = MERGE_TABLE.flatMap((row) => {
      const why = ctx.cannotSay?.(row.update, row.current);
      return why ? [skip(mergeRequirementId(row), describeMergeRow(row), why)] : [];
    });
    const rows = MERGE_TABLE.filter((row) => !ctx.cannotSay?.(row.update, row.current)).map((row) => plan(ctx, row));
    const known = rows.filter((r) => r.held);
    const upd = (r: Planned, state: MemberState): Update => ({ state, id: r.id, addr: ctx.shared.addr, incarnation: HELD, by: ctx.driver.id });
    await ctx.tell(known.map((r) => upd(r, "alive")));
    await ctx.tell(known.filter((r) => r.held!.state !== "alive").map((r) => upd(r, r.held!.state)));
    const setUp = await pollFor(
      async () => {
        const view = await ctx.view();
        return known.every((r) => sameClaim(view.get(r.id), r.held)) ? view : undefined;
      },
      SHOW_UP_MS,
      ctx.signal,
    );
    const before = setUp ?? (await ctx.view());

    await ctx.tell(rows.map((r) => r.update));
    const changing = rows.filter((r) => r.row.wins);
    await pollFor(
      async () => {
        const view = await ctx.view();
        return changing.every((r) => sameClaim(view.get(r.id), r.expected)) ? true : undefined;
      },
      SHOW_UP_MS,
      ctx.signal,
    );
    await sleep(SETTLE_MS, ctx.signal);
    const after = await ctx.view();
    await ctx.retire(rows.map((r) => r.id));

    return unsayable.concat(
      rows.map((r): Finding => {
        const requirement = mergeRequirementId(r.row);
        const heldBefore = before.get(r.id);
        const expected = `held ${show(r.held)}, told ${show(r.update)} → ${show(r.expected)}`;
        if (!sameClaim(heldBefore, r.held)) {
          return finding(false, requirement, expected, `could not set up the held state: view showed ${show(heldBefore)} instead of ${show(r.held)}`);
        }
        const now = after.get(r.id);
        return finding(sameClaim(now, r.expected), requirement, expected, `view shows ${show(now)}`);
      }),
    );
  },
};

/** One member held alive(5), then told suspect/dead/left/alive at incarnation 3 or 4, one message at a time. */
const staleUpdates: ConformanceCase<MembershipDriver> = {
  name: "stale updates are ignored",
  requirements: ["SWIM-STALE-1"],
  needs: ["admin", "incarnation"],
  async run(ctx) {
    const id = ctx.memberId("stale");
    const at = (state: MemberState, incarnation: number): Update => ({ state, id, addr: ctx.shared.addr, incarnation, by: ctx.driver.id });
    await ctx.tell([at("alive", HELD)]);
    const held = await pollFor(async () => ((await ctx.view()).get(id)?.incarnation === HELD ? true : undefined), SHOW_UP_MS, ctx.signal);
    if (!held) return [finding(false, "SWIM-STALE-1", `alive(${HELD}) held`, "the member never showed up as alive")];
    const seen: string[] = [];
    for (const stale of [at("suspect", 3), at("dead", 4), at("left", 3), at("alive", 4)]) {
      await ctx.tell([stale]);
      await sleep(SETTLE_MS / 2, ctx.signal);
      const view = (await ctx.view()).get(id);
      seen.push(`${show(stale)} → ${show(view)}`);
      if (!sameClaim(view, { state: "alive", incarnation: HELD })) {
        await ctx.retire([id]);
        return [finding(false, "SWIM-STALE-1", `alive(${HELD}) kept after each stale update`, seen.join("; "))];
      }
    }
    await ctx.retire([id]);
    return [finding(true, "SWIM-STALE-1", `alive(${HELD}) kept after each stale update`, seen.join("; "))];
  },
};

export const MERGE_CASES: ConformanceCase<MembershipDriver>[] = [mergeTable, staleUpdates];
