// The conformance merge table is written out independently of the reference node: the two statements of SWIM §4.2 must agree.
import t from "tap";
import { supersedes } from "../../../reference-node/core/membership.js";
import { MERGE_TABLE, mergeRequirementId } from "../../../specs/requirements/merge-table.js";
import { REQUIREMENTS } from "../../../specs/requirements/catalogue.js";

const INCARNATION = { lower: 4, equal: 5, higher: 6 } as const;

t.test("52 rows: every update state against unknown and every held state at three incarnation relations", async (t) => {
  t.equal(MERGE_TABLE.length, 4 + 4 * 4 * 3);
  t.equal(new Set(MERGE_TABLE.map(mergeRequirementId)).size, MERGE_TABLE.length, "ids are unique");
});

t.test("each row agrees with the reference node's supersedes()", async (t) => {
  for (const row of MERGE_TABLE) {
    const update = { state: row.update, incarnation: row.relation ? INCARNATION[row.relation] : 1 };
    const current = row.current === "unknown" ? undefined : { state: row.current, incarnation: 5 };
    t.equal(supersedes(update, current), row.wins, mergeRequirementId(row));
  }
});

t.test("rows are in the catalogue as MUST requirements, with the rule in words", async (t) => {
  const row = REQUIREMENTS.find((r) => r.id === "MERGE-SUSPECT-ALIVE-EQUAL");
  t.equal(row?.level, "MUST");
  t.match(row?.text, /`suspect` update with the same incarnation than a held `alive` replaces it/);
  t.match(REQUIREMENTS.find((r) => r.id === "MERGE-DEAD-UNKNOWN")?.text, /ignored/);
});
