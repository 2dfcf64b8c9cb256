// Where the proxies come from: a given URL, a toxiproxy-server on PATH, or the embedded server.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { ProxyApiError } from "../../../harness/faults/proxy-api.js";
import { obtainToxiproxy } from "../../../harness/faults/toxiproxy-source.js";
import { builtCli } from "../../../harness/paths.js";
import { freePorts } from "../../../harness/ports.js";
import { echoServer, talk } from "../proxy/fixture.js";

t.test("no URL and nothing on PATH: the embedded server", async (t) => {
  const source = await obtainToxiproxy({ allowPath: false });
  t.teardown(() => source.close());
  t.equal(source.kind, "embedded");
  t.match(JSON.parse(await source.api.version()), { version: /grapevine/ });
});

t.test("the embedded server counts the connections opened through its proxies; a given server cannot say", async (t) => {
  const source = await obtainToxiproxy({ allowPath: false });
  t.teardown(() => source.close());
  const echo = await echoServer({ closeAfterReply: true });
  t.teardown(() => echo.close());
  const [port] = await freePorts(1);
  await source.api.populate([{ name: "counted", listen: `127.0.0.1:${port}`, upstream: echo.addr }]);
  t.equal(source.connectionsAccepted?.(), 0);
  for (let i = 0; i < 3; i++) t.equal((await talk(port!, "ping", { waitMs: 2000, expectBytes: 4 })).received.toString(), "ping", `exchange ${i + 1} answered`);
  t.equal(source.connectionsAccepted?.(), 3, "one per connection opened");
  const given = await obtainToxiproxy({ url: source.api.url });
  t.equal(given.connectionsAccepted, undefined, "another server's API has no such count");
});

t.test("a URL where nothing answers is a clear error", async (t) => {
  const [port] = await freePorts(1);
  await t.rejects(obtainToxiproxy({ url: `http://127.0.0.1:${port}` }), {
    constructor: ProxyApiError,
    message: new RegExp(`no Toxiproxy answers at http://127.0.0.1:${port}.*leave out --toxiproxy`),
  });
});

t.test("a given URL is used as it is", async (t) => {
  const embedded = await obtainToxiproxy({ allowPath: false });
  t.teardown(() => embedded.close());
  const given = await obtainToxiproxy({ url: `${embedded.api.url}/` });
  t.equal(given.kind, "given");
  t.equal(given.api.url, embedded.api.url, "trailing slash dropped");
});

t.test("a toxiproxy-server on PATH is started on a free loopback port and stopped after", async (t) => {
  // A stand-in binary that takes toxiproxy-server's -host/-port flags and serves the API with `grapevine proxy`.
  const bin = mkdtempSync(path.join(tmpdir(), "grapevine-bin-"));
  const script = path.join(bin, "toxiproxy-server");
  writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${builtCli()}" proxy --host "$2" --port "$4"\n`);
  chmodSync(script, 0o755);
  const oldPath = process.env.PATH;
  process.env.PATH = `${bin}:${oldPath}`;
  t.teardown(() => void (process.env.PATH = oldPath));
  const source = await obtainToxiproxy();
  t.equal(source.kind, "spawned");
  t.match(source.api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.match(JSON.parse(await source.api.version()), { version: String });
  await source.close();
  await t.rejects(fetch(`${source.api.url}/version`), "stopped with the run");
});
