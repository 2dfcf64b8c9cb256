// timeout: a blackhole. Drops all data; with timeout > 0 closes the connection after that long with no chunk arriving.
import type { ToxicAttributes } from "../../../specs/toxiproxy/api.js";
import type { Stage, StageContext } from "./stage.js";

export function timeoutStage(attrs: ToxicAttributes["timeout"], ctx: StageContext): Stage {
  let timer: NodeJS.Timeout | undefined;
  // The timer starts when the toxic starts and restarts on every chunk (Toxiproxy's select on time.After in a loop).
  const arm = () => {
    clearTimeout(timer);
    if (attrs.timeout > 0) timer = setTimeout(() => ctx.close("fin"), attrs.timeout);
  };
  arm();
  return {
    process() {
      arm();
    },
    end() {
      clearTimeout(timer);
    },
    stop(reason) {
      clearTimeout(timer);
      // Toxiproxy's Cleanup: removing a timeout toxic closes the connection rather than let held-back traffic resume.
      if (reason === "removed") ctx.close("fin");
    },
  };
}
