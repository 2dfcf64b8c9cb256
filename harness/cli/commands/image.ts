// `grapevine image build`: the container image the Docker runtime runs, from reference-node/Dockerfile or offline.
import path from "node:path";
import type { CommandModule } from "yargs";
import { GRAPEVINE_IMAGE } from "../../runtime/docker/image-names.js";
import { packageRoot } from "../../paths.js";
import { UsageError } from "../usage-error.js";

interface ImageArgs {
  action: "build";
  offline: boolean;
}

/** The Dockerfile path: needs a Node base image from a registry. */
async function buildFromDockerfile(progress: (line: string) => void): Promise<string> {
  const [{ pack }, { connectDocker, DockerRuntimeError }] = await Promise.all([import("tar-fs"), import("../../runtime/docker/engine.js")]);
  const docker = await connectDocker();
  const root = packageRoot();
  const context = pack(root, { entries: ["package.json", "package-lock.json", "dist", "reference-node/Dockerfile"] });
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: GRAPEVINE_IMAGE,
    dockerfile: path.join("reference-node", "Dockerfile"),
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (error, output: { error?: string }[]) => {
        const failed = error ?? output.find((o) => o.error)?.error;
        if (failed) reject(new DockerRuntimeError(`docker build failed: ${String(failed)} (with no registry, use --offline)`));
        else resolve();
      },
      (event: { stream?: string }) => event.stream && progress(event.stream.trimEnd()),
    ),
  );
  return GRAPEVINE_IMAGE;
}

export const imageCommand: CommandModule<object, ImageArgs> = {
  command: "image <action>",
  describe: `Build ${GRAPEVINE_IMAGE}, the image of --runtime docker`,
  builder: (y) =>
    y
      // A positional with one choice: `image anything-else` is refused, never taken for a build.
      .positional("action", { choices: ["build"] as const, demandOption: true, describe: "build: make the image" })
      .option("offline", { type: "boolean", default: false, describe: "assemble it from this machine's node and the built project; pulls nothing" })
      .example("$0 image build --offline", "no registry needed: this machine's node and the built project"),
  handler: async (args) => {
    // Loaded once the flags are checked, so that bad input is refused at once and --help stays fast.
    const [{ connectDocker, DockerRuntimeError }, { buildOfflineImage }] = await Promise.all([
      import("../../runtime/docker/engine.js"),
      import("../../runtime/docker/image.js"),
    ]);
    const progress = (line: string) => process.stderr.write(`grapevine image: ${line}\n`);
    try {
      const built = args.offline ? await buildOfflineImage(await connectDocker(), progress) : await buildFromDockerfile(progress);
      process.stdout.write(`built ${built}\n`);
    } catch (error) {
      if (error instanceof DockerRuntimeError) throw new UsageError(error.message);
      throw error;
    }
  },
};
