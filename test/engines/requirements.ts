// What the real-engine suites need, and their skip reason when it is missing. CI installs all of it
// and sets GRAPEVINE_REQUIRE_PACKET / GRAPEVINE_REQUIRE_MEMBERLIST, so that a missing piece fails there.
import { existsSync } from "node:fs";
import { execa } from "execa";
import type { Test } from "tap";
import { missingForPacketFaults } from "../../harness/faults/packet/host-tools.js";

const has = async (cmd: string, args: string[]) => (await execa(cmd, args, { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;

/** false when everything is here; else the skip reason. `outside`: Serf and memberlist's source too. */
export async function engineSkip(t: Test, outside: boolean): Promise<string | false> {
  const missing = await missingForPacketFaults();
  if (outside) {
    if (!(await has("serf", ["version"]))) missing.push("serf (apt-get install -y serf)");
    if (!(await has("go", ["version"])) || !existsSync("/usr/share/gocode/src/github.com/hashicorp/memberlist"))
      missing.push("go and memberlist's source (apt-get install -y golang-go golang-github-hashicorp-memberlist-dev)");
  }
  const required = outside ? "GRAPEVINE_REQUIRE_MEMBERLIST" : "GRAPEVINE_REQUIRE_PACKET";
  if (missing.length > 0 && process.env[required]) t.fail(`${required} is set but missing: ${missing.join("; ")}`);
  return missing.length > 0 ? `needs ${missing.join("; ")}` : false;
}
