// Packet-network names: derived from the run, within Linux's limits, and a subnet no route covers.
import t from "tap";
import { chooseSubnet, netNames, nodeNames, ownerPid } from "../../../../harness/faults/packet/names.js";

t.test("names derive from the harness's pid and the run's number, and fit Linux's 15-character interface names", async (t) => {
  const names = netNames(4_194_303, 35, "10.200.1");
  t.equal(names.router, "gvp-4194303-35-r");
  t.ok(names.hostIf.length <= 15, names.hostIf);
  t.equal(ownerPid(names.router), 4_194_303);
  t.equal(ownerPid(nodeNames(names, 3).netns), 4_194_303);
  t.equal(ownerPid("gvp-x"), undefined, "a name that is not ours has no owner");
  t.equal(ownerPid("other-123-1-r"), undefined);
  t.equal(nodeNames(names, 0).addr, "10.200.1.10");
  t.equal(nodeNames(names, 240).addr, "10.200.1.250");
  t.throws(() => nodeNames(names, 241), RangeError);
  t.not(netNames(100, 1, "10.200.1").hostIf, netNames(100, 2, "10.200.1").hostIf, "two runs of one harness");
});

t.test("the subnet is a /24 in 10.192.0.0/10 that no route covers", async (t) => {
  const first = chooseSubnet(1234, 0, []);
  t.match(first, /^10\.(19[2-9]|2[0-5]\d)\.\d+$/);
  t.not(chooseSubnet(1234, 0, [`${first}.0/24`]), first, "a subnet in use is passed over");
  t.throws(() => chooseSubnet(1234, 0, ["10.192.0.0/10"]), /no free \/24/, "all of 10.192/10 taken");
  const covered = chooseSubnet(1234, 0, [`${first}.7`]);
  t.not(covered, first, "a host route inside it counts too");
  t.equal(chooseSubnet(1234, 0, ["default", "172.17.0.0/16", "192.0.2.0/24"]), first, "the default route covers nothing");
  t.not(chooseSubnet(1234, 0, []), chooseSubnet(1234, 1, []), "two runs of one harness start apart");
});
