// `npm run bench:start`: how long a reference node takes from launch to its ready line, cold, through
// the node's own entry bundled (what runtimes start) and unbundled, and through `grapevine node`,
// beside a bare `node -e 0`.
import { percentile } from "../stats.js";
import path from "node:path";
import { execa } from "execa";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { builtCli, builtNode } from "../paths.js";

const args = await yargs(hideBin(process.argv)).option("runs", { type: "number", default: 10, describe: "cold starts per entry" }).strict().parseAsync();

const NODE_FLAGS = ["--id", "bench", "--port", "0", "--admin-port", "0", "--log-level", "warn"];

/** Milliseconds from spawn to the first stdout output that contains `marker` (or to exit, without one). */
async function coldStart(argv: string[], marker: string | undefined): Promise<number> {
  const started = performance.now();
  const child = execa(process.execPath, argv, { stdin: "ignore", stdout: "pipe", stderr: "ignore", reject: false, timeout: 20_000 });
  if (marker === undefined) {
    await child;
    return performance.now() - started;
  }
  let output = "";
  const readyAt = await new Promise<number | undefined>((resolve) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) resolve(performance.now());
    });
    void child.then(() => resolve(undefined));
  });
  child.kill("SIGKILL");
  await child;
  if (readyAt === undefined) throw new Error(`${argv.join(" ")} exited without printing its ready line`);
  return readyAt - started;
}

const entries: [string, string[], string | undefined][] = [
  ["node -e 0 (the floor)", ["-e", "0"], undefined],
  ["the node's bundle, dist/reference-node/node.bundle.mjs (what runtimes start)", [builtNode(), ...NODE_FLAGS], '"ready":true'],
  ["the node's entry unbundled, dist/reference-node/main.js", [path.join(path.dirname(builtNode()), "main.js"), ...NODE_FLAGS], '"ready":true'],
  ["grapevine node", [builtCli(), "node", ...NODE_FLAGS], '"ready":true'],
];

process.stdout.write(`cold start to the ready line, ${args.runs} runs each (ms)\n\n| entry | p50 | min | max |\n| --- | --- | --- | --- |\n`);
for (const [name, argv, marker] of entries) {
  const times: number[] = [];
  for (let i = 0; i < args.runs; i++) times.push(await coldStart(argv, marker));
  times.sort((a, b) => a - b);
  const ms = (x: number) => Math.round(x).toString();
  process.stdout.write(`| ${name} | ${ms(percentile(times, 0.5)!)} | ${ms(times[0]!)} | ${ms(times.at(-1)!)} |\n`);
}
