// Lists and durations as every command reads them: repeated or comma-separated lists alike;
// durations with the units scenario files use, or a bare number in the option's own unit.
import t from "tap";
import { boundedDurationMs, durationMs, durationsMs, listValues, wholeNumbers } from "../../../harness/cli/values.js";

t.test("a list: repeated, comma-separated, or both, give the same values", (t) => {
  t.same(listValues("a,b"), ["a", "b"]);
  t.same(listValues(["a", "b"]), ["a", "b"]);
  t.same(listValues(["a,b", " c ", ""]), ["a", "b", "c"]);
  t.same(listValues(undefined), []);
  t.same(wholeNumbers(["4,8", "16"], "--nodes", 3, 64), [4, 8, 16]);
  t.throws(() => wholeNumbers("4,x", "--nodes", 3, 64), /--nodes: expected whole numbers from 3 to 64, comma-separated or repeated \(got "4,x"\)/);
  t.end();
});

t.test("a duration: with a unit as in scenario files, or bare in the option's unit", (t) => {
  t.equal(durationMs("500ms", "s", "--x"), 500);
  t.equal(durationMs("1.5m", "ms", "--x"), 90_000);
  t.equal(durationMs("90s", "m", "--x"), 90_000);
  t.equal(durationMs("120", "s", "--heal-wait-s"), 120_000);
  t.equal(durationMs(10, "m", "--quiet-minutes"), 600_000);
  t.equal(durationMs("0.25", "m", "--quiet-minutes"), 15_000);
  t.throws(
    () => durationMs("2h", "s", "--heal-wait-s"),
    /--heal-wait-s: "2h" is not a duration: write it with its unit, as in scenario files \("500ms", "30s", "1\.5m"\), or as a number of s/,
  );
  t.throws(() => boundedDurationMs("0", "s", "--duration-s", 1000, 3_600_000), /--duration-s: from 1s to 60m \(got 0ms\)/);
  t.same(durationsMs("1s,300,2.5s", "ms", "--pauses", 1, 120_000), [1000, 300, 2500]);
  t.throws(() => durationsMs("", "ms", "--pauses", 1, 120_000), /--pauses: give at least one duration/);
  t.end();
});
