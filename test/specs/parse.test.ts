// The one way loaders report bad input: where, the field, what zod says.
import t from "tap";
import { z } from "zod";
import { describeIssue, parseJsonWith, parseWith } from "../../specs/parse.js";

class LoadError extends Error {}
const Shape = z.object({ name: z.string(), ports: z.array(z.number().int()).min(1) }).strict();
const fail = (message: string) => new LoadError(message);

t.test("a valid value comes back parsed", async (t) => {
  t.same(parseWith(Shape, { name: "a", ports: [1] }, "x.json", fail), { name: "a", ports: [1] });
  t.same(parseJsonWith(Shape, '{"name":"a","ports":[2]}', "x.json", fail), { name: "a", ports: [2] });
});

t.test("the first problem is named by where and the field's path", async (t) => {
  t.throws(
    () => parseWith(Shape, { name: "a", ports: [1.5] }, "x.json", fail),
    new LoadError("x.json: field ports.0: Invalid input: expected int, received number"),
  );
  t.throws(() => parseWith(Shape, "text", "x.json:3", fail), { message: /^x\.json:3: field \(root\): / });
  t.throws(() => parseWith(Shape, { name: "a", ports: [1], extra: 1 }, "x.json", fail), { message: /^x\.json: field \(root\): Unrecognized key: "extra"/ });
  const result = Shape.safeParse({ ports: [] });
  t.match(describeIssue(result.error!), /^field name: /);
});

t.test("text that is not JSON says so, with the parser's reason", async (t) => {
  const error = t.throws(() => parseJsonWith(Shape, "{", "x.json", fail), { message: /^x\.json: not JSON: / });
  t.type(error, LoadError, "the caller's own error class");
});
