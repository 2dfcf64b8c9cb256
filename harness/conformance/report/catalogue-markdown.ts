// `grapevine conformance --list`: the requirements catalogue as a Markdown page.
import { REQUIREMENTS } from "../../../specs/requirements/catalogue.js";
import type { RequirementGroup } from "../../../specs/requirements/requirement.js";
import { markdownCell } from "../../report/markdown.js";

const GROUP_TITLES: Record<RequirementGroup, string> = {
  wire: "Framing, schema and robustness",
  probe: "Probes answered",
  detection: "Failure detection",
  lifeguard: "Lifeguard: local health, nacks, confirmations, buddy system",
  merge: "Merging updates (SWIM §4.2's table, row by row)",
  dissemination: "Dissemination",
  membership: "Joining, syncing and leaving",
  kv: "Key-value store and anti-entropy",
  memberlist: "memberlist's wire: framing, streams, encryption (memberlist and what is built on it)",
  heartbeat: "The heartbeat family: heartbeat gossip judged by the φ accrual detector (--detector phi)",
};

export function renderCatalogue(): string {
  const lines = [
    "# Grapevine protocol requirements",
    "",
    `${REQUIREMENTS.length} requirements. MUST failures fail \`grapevine conformance\`; a failed SHOULD is reported NON-STRICT.`,
    "",
  ];
  for (const [group, title] of Object.entries(GROUP_TITLES)) {
    const rows = REQUIREMENTS.filter((r) => r.group === group);
    if (rows.length === 0) continue;
    lines.push(`## ${title}`, "", "| ID | Level | Requirement | Source |", "|---|---|---|---|");
    for (const r of rows) lines.push(`| \`${r.id}\` | ${r.level} | ${markdownCell(r.text)} | ${markdownCell(r.source)} |`);
    lines.push("");
  }
  return lines.join("\n");
}
