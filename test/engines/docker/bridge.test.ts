// [docker engine] A network of the run's own: containers reach each other by address, and everything is removed after.
import t from "tap";
import { dockerSkip, leftovers, run, scenario } from "./engine-fixture.js";

const skip = await dockerSkip();

t.test("[docker engine, ~20 s] crash detection on a bridge network of the run's own, then nothing left", { skip }, async (t) => {
  const { result, summary } = await run([scenario("02-crash-detection.yaml")], ["--runtime", "docker"]);
  t.equal(result.exitCode, 0, result.stdout + result.stderr);
  t.equal(summary().scenarios[0]?.verdict, "pass");
  t.same(await leftovers(), []);
});
