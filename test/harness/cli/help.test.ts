// The command line helps: the commands listed when none is named, -h on every command with
// examples, the nearest command for a typo, `image` refusing what is not `build`, defaults shown.
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";

const COMMANDS = ["run", "check", "compare", "bench", "conformance", "node", "image", "proxy", "schema"];
const grapevine = (...args: string[]) => execa(process.execPath, [builtCli(), ...args], { reject: false, timeout: 30_000, cwd: packageRoot() });

t.test("grapevine alone lists every command and exits 2; -h does the same and exits 0", async (t) => {
  const bare = await grapevine();
  t.equal(bare.exitCode, 2);
  for (const name of COMMANDS) t.match(bare.stderr, new RegExp(`grapevine ${name}\\b`), name);
  t.match(bare.stderr, /grapevine: name a command/);
  const help = await grapevine("-h");
  t.equal(help.exitCode, 0);
  for (const name of COMMANDS) t.match(help.stdout, new RegExp(`grapevine ${name}\\b`), name);
});

t.test("every command answers -h with examples", async (t) => {
  await Promise.all(
    COMMANDS.map(async (name) => {
      const args = name === "image" ? ["image", "build", "-h"] : [name, "-h"];
      const help = await grapevine(...args);
      t.equal(help.exitCode, 0, `${name} -h`);
      t.match(help.stdout, /Examples:\n\s+grapevine /, `${name}: examples`);
    }),
  );
});

t.test("a mistyped command gets the nearest one; an unknown word is refused", async (t) => {
  const typo = await grapevine("rnu");
  t.equal(typo.exitCode, 2);
  t.match(typo.stderr, /Did you mean run\?/);
  const bench = await grapevine("benhc", "detection");
  t.match(bench.stderr, /Did you mean bench\?/);
  const unknown = await grapevine("xyzzy");
  t.equal(unknown.exitCode, 2);
  t.match(unknown.stderr, /Unknown argument: xyzzy/);
});

t.test("image takes build only: anything else is refused before any build starts", async (t) => {
  const other = await grapevine("image", "anything-else");
  t.equal(other.exitCode, 2);
  t.match(other.stderr, /Argument: action, Given: "anything-else", Choices: "build"/);
  t.notMatch(other.stderr, /Step \d|docker/i, "no build attempted, no engine contacted");
});

t.test("node -h shows each protocol setting's default, from the config schema", async (t) => {
  const help = await grapevine("node", "-h");
  t.equal(help.exitCode, 0);
  t.match(help.stdout, /--probe-interval-ms[\s\S]*?\[default: 1000\]/);
  t.match(help.stdout, /--suspicion-mult[\s\S]*?\[default: 4\]/);
  t.match(help.stdout, /--anti-entropy-mode[\s\S]*?\[default: push-pull\]/);
});
