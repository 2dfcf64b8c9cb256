// Which failure-detector family an implementation under test runs, from what it declares.
import type { DetectorFamily } from "../../specs/requirements/requirement.js";
import type { Sut } from "./sut.js";

/** What its /v1/node (or adapter manifest) declares as `detector`; SWIM when it says nothing, as Serf and memberlist do not. */
export function detectorFamily(sut: Pick<Sut, "info" | "config">): DetectorFamily {
  const declared = (sut.info?.config ?? sut.config)?.detector;
  return declared === "phi" ? "phi" : "swim";
}
