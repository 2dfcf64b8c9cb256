// Where the proxies come from: a given URL, a toxiproxy-server on PATH, or the embedded server.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { ProxyApiError } from "../../../harness/faults/proxy-api.js";
import { obtainToxiproxy } from "../../../harness/faults/toxiproxy-source.js";
import { builtCli } from "../../../harness/paths.js";
import { freePorts } from "../../../harness/ports.js";

t.test("no URL and nothing on PATH: the embedded server", async (t) => {
  const source = await obtainToxiproxy({ allowPath: false });
  t.teardown(() => source.close());
  t.equal(source.kind, "embedded");
  t.match(JSON.parse(await source.api.version()), { version: /grapevine/ });
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
