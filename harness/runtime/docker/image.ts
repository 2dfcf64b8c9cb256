// Grapevine's container image, built without pulling anything: this machine's node, the libraries it links, the built project.
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import { execa } from "execa";
import { pack } from "tar-fs";
import { packageRoot } from "../../paths.js";
import { DockerRuntimeError } from "./engine.js";
import { APP_DIR, GRAPEVINE_IMAGE } from "./image-names.js";

/** The shared libraries a binary loads, from `ldd` (the loader itself included). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await execa("ldd", [binary]);
  return stdout
    .split("\n")
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((lib): lib is string => lib !== undefined);
}

/** The production dependencies' folders (npm's own view: dev dependencies and their trees left out). */
async function productionPackages(root: string): Promise<string[]> {
  const { stdout } = await execa("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: root, reject: false });
  return stdout
    .split("\n")
    .map((p) => p.trim())
    .filter((p) => p.startsWith(path.join(root, "node_modules") + path.sep))
    .filter((p) => path.relative(path.join(root, "node_modules"), p).split(path.sep + "node_modules" + path.sep).length === 1);
}

/** Assembles the root filesystem in a temporary folder; returns it. */
export async function assembleRootfs(progress: (line: string) => void = () => undefined): Promise<string> {
  const root = packageRoot();
  if (!existsSync(path.join(root, "dist", "harness", "cli", "main.js"))) throw new DockerRuntimeError("dist/ is missing: run `npm run build` first");
  const rootfs = mkdtempSync(path.join(tmpdir(), "grapevine-rootfs-"));
  const put = (from: string, to = from) => {
    mkdirSync(path.dirname(path.join(rootfs, to)), { recursive: true });
    cpSync(from, path.join(rootfs, to), { recursive: true, dereference: true });
  };
  progress(`node ${process.version} from ${process.execPath}`);
  put(process.execPath, "/usr/local/bin/node");
  chmodSync(path.join(rootfs, "usr/local/bin/node"), 0o755);
  const libs = await sharedLibraries(process.execPath);
  progress(`${libs.length} shared libraries (ldd)`);
  for (const lib of libs) put(lib);
  for (const dir of ["tmp", "etc", "root"]) mkdirSync(path.join(rootfs, dir), { recursive: true });
  chmodSync(path.join(rootfs, "tmp"), 0o1777);
  writeFileSync(path.join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  writeFileSync(path.join(rootfs, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
  writeFileSync(path.join(rootfs, "etc/nsswitch.conf"), "hosts: files dns\n");
  put(path.join(root, "package.json"), `${APP_DIR}/package.json`);
  put(path.join(root, "dist"), `${APP_DIR}/dist`);
  const packages = await productionPackages(root);
  progress(`${packages.length} production packages`);
  for (const dir of packages) put(dir, path.join(APP_DIR, "node_modules", path.relative(path.join(root, "node_modules"), dir)));
  copyFileSync(path.join(root, "package.json"), path.join(rootfs, APP_DIR, "package.json"));
  return rootfs;
}

/** `grapevine image build --offline`: the root filesystem, imported as GRAPEVINE_IMAGE. */
export async function buildOfflineImage(docker: Docker, progress: (line: string) => void = () => undefined): Promise<string> {
  const rootfs = await assembleRootfs(progress);
  try {
    progress(`importing ${GRAPEVINE_IMAGE}`);
    const [repo, tag] = GRAPEVINE_IMAGE.split(":") as [string, string];
    const stream = (await docker.importImage(
      pack(rootfs) as unknown as NodeJS.ReadableStream,
      {
        repo,
        tag,
        changes: [`WORKDIR ${APP_DIR}`, `ENV PATH=/usr/local/bin:/usr/bin:/bin`, `ENTRYPOINT ["/usr/local/bin/node", "${APP_DIR}/dist/harness/cli/main.js"]`],
      } as object,
    )) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())));
    const image = await docker.getImage(GRAPEVINE_IMAGE).inspect();
    return `${GRAPEVINE_IMAGE} (${image.Id.slice(7, 19)}, ${(image.Size / 1e6).toFixed(0)} MB)`;
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

export async function hasImage(docker: Docker, name: string): Promise<boolean> {
  return docker
    .getImage(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

/** The image must be there already: this machine pulls nothing. */
export async function requireImage(docker: Docker, image = GRAPEVINE_IMAGE): Promise<void> {
  if (!(await hasImage(docker, image))) {
    throw new DockerRuntimeError(
      `image ${image} is missing: build it with \`npx grapevine image build --offline\` (or from reference-node/Dockerfile where a Node base image can be pulled)`,
    );
  }
}
