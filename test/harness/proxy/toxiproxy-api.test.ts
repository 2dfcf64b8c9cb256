// Toxiproxy API compatibility, through toxiproxy-node-client. Runs against the embedded server, or a real
// Toxiproxy with TOXIPROXY_URL=http://host:8474 (every proxy it makes is named gv-test-* and removed after).
import t from "tap";
import { echoServer, portOf, raw, talk, toxiproxyUnderTest } from "./fixture.js";

const api = await toxiproxyUnderTest();
const echo = await echoServer();
const made = new Set<string>();
const name = (suffix: string) => {
  const n = `gv-test-${suffix}`;
  made.add(n);
  return n;
};
t.teardown(async () => {
  for (const n of made) await raw(api.url, "DELETE", `/proxies/${n}`).catch(() => undefined);
  echo.close();
  await api.close();
});

t.test("GET /version answers", async (t) => {
  const text = await api.client.getVersion();
  t.match(JSON.parse(text), { version: String });
});

t.test("create: 201, listen resolved, enabled by default, no toxics", async (t) => {
  const proxy = await api.client.createProxy({ name: name("create"), listen: "localhost:0", upstream: echo.addr });
  t.match(proxy.toJson(), { name: name("create"), upstream: echo.addr, enabled: true });
  // The client's toJson() leaves `toxics` out; the server's answer has it.
  t.same((await raw(api.url, "GET", `/proxies/${name("create")}`)).json, { ...proxy.toJson(), toxics: [] });
  t.match(proxy.listen, /^127\.0\.0\.1:\d+$/, "localhost:0 comes back as 127.0.0.1:<port>");
  t.not(portOf(proxy.listen), 0);
  const rawCreate = await raw(api.url, "POST", "/proxies", { name: name("create-raw"), listen: "127.0.0.1:0", upstream: echo.addr });
  t.equal(rawCreate.status, 201);
  const echoed = await talk(portOf(proxy.listen), "ping", { waitMs: 2000, expectBytes: 4 });
  t.equal(echoed.received.toString(), "ping", "traffic flows through");
});

t.test("create: errors as Toxiproxy gives them", async (t) => {
  await api.client.createProxy({ name: name("dup"), listen: "127.0.0.1:0", upstream: echo.addr });
  const dup = await raw(api.url, "POST", "/proxies", { name: name("dup"), listen: "127.0.0.1:0", upstream: echo.addr });
  t.same(dup, { status: 409, json: { error: "proxy already exists", status: 409 } });
  await t.rejects(api.client.createProxy({ name: name("dup"), listen: "127.0.0.1:0", upstream: echo.addr }), { message: /409/ });
  t.same(await raw(api.url, "POST", "/proxies", { listen: "127.0.0.1:0", upstream: echo.addr }), {
    status: 400,
    json: { error: "missing required field: name", status: 400 },
  });
  t.same(await raw(api.url, "POST", "/proxies", { name: name("no-up"), listen: "127.0.0.1:0" }), {
    status: 400,
    json: { error: "missing required field: upstream", status: 400 },
  });
  const bad = await raw(api.url, "POST", "/proxies", "{not json");
  t.equal(bad.status, 400);
  t.match(bad.json, { error: /^bad request body/, status: 400 });
  const wrongType = await raw(api.url, "POST", "/proxies", { name: 5, upstream: echo.addr });
  t.equal(wrongType.status, 400);
});

t.test("create on a listen address in use: 500 saying so, and the server keeps running", async (t) => {
  const first = await api.client.createProxy({ name: name("taken"), listen: "127.0.0.1:0", upstream: echo.addr });
  const clash = await raw(api.url, "POST", "/proxies", { name: name("clash"), listen: first.listen, upstream: echo.addr });
  t.equal(clash.status, 500);
  t.match(clash.json, { error: /address already in use/, status: 500 });
  t.equal((await raw(api.url, "GET", `/proxies/${name("clash")}`)).status, 404, "nothing half-created");
  t.match(JSON.parse(await api.client.getVersion()), { version: String });
});

t.test("get, list, update, delete", async (t) => {
  const proxy = await api.client.createProxy({ name: name("crud"), listen: "127.0.0.1:0", upstream: echo.addr });
  t.same((await api.client.get(name("crud"))).toJson(), proxy.toJson());
  t.ok((await api.client.getAll())[name("crud")], "listed by name");
  t.same(await raw(api.url, "GET", `/proxies/${name("nope")}`), { status: 404, json: { error: "proxy not found", status: 404 } });

  const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  t.equal(disabled.enabled, false);
  const refused = await talk(portOf(proxy.listen), "x", { waitMs: 1000 });
  t.equal(refused.error, "ECONNREFUSED", "a disabled proxy refuses connections");
  const enabled = await disabled.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
  t.equal(enabled.listen, proxy.listen, "re-enabled on the same address");
  t.equal((await talk(portOf(enabled.listen), "back", { waitMs: 2000, expectBytes: 4 })).received.toString(), "back");

  const patched = await raw(api.url, "PATCH", `/proxies/${name("crud")}`, { enabled: false });
  t.match(patched, { status: 200, json: { enabled: false, listen: proxy.listen, upstream: echo.addr } }, "omitted fields keep their values");

  await proxy.remove();
  t.equal((await raw(api.url, "GET", `/proxies/${name("crud")}`)).status, 404);
  t.same(await raw(api.url, "DELETE", `/proxies/${name("crud")}`), { status: 404, json: { error: "proxy not found", status: 404 } });
});

t.test("disabling a proxy closes its open connections", async (t) => {
  const proxy = await api.client.createProxy({ name: name("cut-open"), listen: "127.0.0.1:0", upstream: echo.addr });
  const open = talk(portOf(proxy.listen), "hold", { waitMs: 3000 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  const result = await open;
  t.ok(result.closedMs !== undefined && result.closedMs < 3000, "the open connection was closed");
});

t.test("populate: 201 with the proxies; validates every entry before creating any", async (t) => {
  const ok = await raw(api.url, "POST", "/populate", [
    { name: name("pop-a"), listen: "127.0.0.1:0", upstream: echo.addr },
    { name: name("pop-b"), listen: "127.0.0.1:0", upstream: echo.addr },
  ]);
  t.equal(ok.status, 201);
  t.equal((ok.json as { proxies: unknown[] }).proxies.length, 2);
  const bad = await raw(api.url, "POST", "/populate", [
    { name: name("pop-c"), listen: "127.0.0.1:0", upstream: echo.addr },
    { listen: "127.0.0.1:0", upstream: echo.addr },
  ]);
  t.same(bad, { status: 400, json: { error: "missing required field: name at proxy 2", status: 400 } });
  t.equal((await raw(api.url, "GET", `/proxies/${name("pop-c")}`)).status, 404, "the valid first entry was not created");
  t.same(await raw(api.url, "POST", "/populate", []), { status: 201, json: { proxies: null } }, "an empty list gives proxies: null");
});

t.test("populate keeps a proxy whose listen and upstream are unchanged, toxics included", async (t) => {
  const proxy = await api.client.createProxy({ name: name("pop-keep"), listen: "127.0.0.1:0", upstream: echo.addr });
  await proxy.addToxic({ name: "slow", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 5, jitter: 0 } });
  const again = await raw(api.url, "POST", "/populate", [{ name: name("pop-keep"), listen: proxy.listen, upstream: echo.addr }]);
  t.match(again.json, { proxies: [{ name: name("pop-keep"), toxics: [{ name: "slow" }] }] });
  const moved = await raw(api.url, "POST", "/populate", [{ name: name("pop-keep"), listen: "127.0.0.1:0", upstream: echo.addr }]);
  t.match(moved.json, { proxies: [{ name: name("pop-keep"), toxics: [] }] }, "a changed listen replaces it");
});

t.test("toxics: defaults, listing order, get, update, delete", async (t) => {
  const proxy = await api.client.createProxy({ name: name("toxics"), listen: "127.0.0.1:0", upstream: echo.addr });
  const created = await raw(api.url, "POST", `/proxies/${name("toxics")}/toxics`, { type: "latency", attributes: { latency: 10 } });
  t.same(created, {
    status: 200,
    json: { attributes: { latency: 10, jitter: 0 }, name: "latency_downstream", type: "latency", stream: "downstream", toxicity: 1 },
  });
  await proxy.addToxic({ name: "up1", type: "bandwidth", stream: "upstream", toxicity: 0.5, attributes: { rate: 100 } });
  await proxy.addToxic({ name: "down2", type: "slow_close", stream: "downstream", toxicity: 1, attributes: { delay: 1 } });
  await proxy.addToxic({ name: "up2", type: "timeout", stream: "upstream", toxicity: 1, attributes: { timeout: 0 } });
  const listed = await raw(api.url, "GET", `/proxies/${name("toxics")}/toxics`);
  t.same(
    (listed.json as { name: string }[]).map((x) => x.name),
    ["up1", "up2", "latency_downstream", "down2"],
    "upstream toxics first, then downstream, each in insertion order",
  );
  const got = await proxy.getToxic<{ rate: number }>("up1");
  t.same(got.attributes, { rate: 100 });
  t.equal(got.toxicity, 0.5);
  const updated = await raw(api.url, "POST", `/proxies/${name("toxics")}/toxics/latency_downstream`, { attributes: { jitter: 3 } });
  t.same(
    updated.json,
    { attributes: { latency: 10, jitter: 3 }, name: "latency_downstream", type: "latency", stream: "downstream", toxicity: 1 },
    "attributes merged, toxicity kept",
  );
  const patched = await raw(api.url, "PATCH", `/proxies/${name("toxics")}/toxics/up1`, { toxicity: 0.25 });
  t.match(patched.json, { toxicity: 0.25, attributes: { rate: 100 } });
  t.same(await raw(api.url, "DELETE", `/proxies/${name("toxics")}/toxics/up2`), { status: 204, json: undefined });
  t.same(await raw(api.url, "GET", `/proxies/${name("toxics")}/toxics/up2`), { status: 404, json: { error: "toxic not found", status: 404 } });
  t.same(await raw(api.url, "DELETE", `/proxies/${name("toxics")}/toxics/up2`), { status: 404, json: { error: "toxic not found", status: 404 } });
  t.same(await raw(api.url, "POST", `/proxies/${name("toxics")}/toxics/up2`, { toxicity: 1 }), {
    status: 404,
    json: { error: "toxic not found", status: 404 },
  });
});

t.test("toxic errors, checked in Toxiproxy's order", async (t) => {
  await api.client.createProxy({ name: name("toxic-errors"), listen: "127.0.0.1:0", upstream: echo.addr });
  const path = `/proxies/${name("toxic-errors")}/toxics`;
  const err = (error: string, status: number) => ({ status, json: { error, status } });
  t.same(
    await raw(api.url, "POST", path, { type: "nope", stream: "sideways" }),
    err("stream was invalid, can be either upstream or downstream", 400),
    "stream before type",
  );
  t.same(await raw(api.url, "POST", path, { type: "nope" }), err("invalid toxic type", 400));
  t.same(await raw(api.url, "POST", path, { type: "down" }), err("invalid toxic type", 400), "there is no `down` toxic");
  await raw(api.url, "POST", path, { name: "same", type: "latency", stream: "upstream" });
  t.same(
    await raw(api.url, "POST", path, { name: "same", type: "timeout", stream: "downstream" }),
    err("toxic already exists", 409),
    "names are unique across streams",
  );
  const badAttr = await raw(api.url, "POST", path, { name: "frac", type: "latency", attributes: { latency: "slow" } });
  t.equal(badAttr.status, 400);
  t.match(badAttr.json, { error: /^bad request body/ });
  t.same(await raw(api.url, "POST", `/proxies/${name("absent")}/toxics`, { type: "latency" }), err("proxy not found", 404));
});

t.test(
  "reset re-enables every proxy and removes every toxic",
  { skip: !api.embedded && "POST /reset would touch every proxy of a shared server" },
  async (t) => {
    const proxy = await api.client.createProxy({ name: name("reset"), listen: "127.0.0.1:0", upstream: echo.addr });
    await proxy.addToxic({ name: "t1", type: "latency", stream: "upstream", toxicity: 1, attributes: { latency: 1, jitter: 0 } });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await api.client.reset();
    t.match((await raw(api.url, "GET", `/proxies/${name("reset")}`)).json, { enabled: true, toxics: [], listen: proxy.listen });
  },
);
