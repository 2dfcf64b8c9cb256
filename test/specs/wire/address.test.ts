// host:port text: IPv4, names, bracketed IPv6, and errors that say what is wrong.
import t from "tap";
import { formatHostPort, parseHostPort } from "../../../specs/wire/address.js";

t.test("parses host:port, IPv6 in brackets", async (t) => {
  t.same(parseHostPort("127.0.0.1:7946"), { host: "127.0.0.1", port: 7946 });
  t.same(parseHostPort("n1.local:1"), { host: "n1.local", port: 1 });
  t.same(parseHostPort("[::1]:65535"), { host: "::1", port: 65535 });
});

t.test("refuses text with no host or no valid port", async (t) => {
  t.throws(() => parseHostPort("7946"), /"7946" is not host:port/);
  t.throws(() => parseHostPort(":7946"), /is not host:port/);
  t.throws(() => parseHostPort("h:0"), /"h:0" has no valid port \(1-65535\)/);
  t.throws(() => parseHostPort("h:65536"), /no valid port/);
  t.throws(() => parseHostPort("h:x"), /no valid port/);
});

t.test("formats back, bracketing IPv6", async (t) => {
  t.equal(formatHostPort("127.0.0.1", 80), "127.0.0.1:80");
  t.equal(formatHostPort("::1", 80), "[::1]:80");
  t.same(parseHostPort(formatHostPort("fe80::1", 7946)), { host: "fe80::1", port: 7946 });
});
