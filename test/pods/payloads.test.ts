import { expect } from "chai";
import { gzipSync } from "fflate";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { safeEntryPath, UnsafeArchiveError } from "../../services/pods/archive";
import { resolveExternalPayloads } from "../../services/pods/payloads";
import { lieAboutZipSizes, makeTar, makeZip, MemoryStorage, text } from "../support/pods";

const LIMITS = { maxBytes: 10 * 1024 * 1024, maxEntries: 1000 };

/** 16 MiB of zeros deflate to about 16 KB; built once. */
let bombCache: Uint8Array | undefined;
function zipBomb(): Uint8Array {
  bombCache ??= makeZip({ "zeros.bin": { data: new Uint8Array(16 * 1024 * 1024) } });
  return bombCache;
}

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relative: string) => {
    for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else out.push(child);
    }
  };
  await walk("");
  return out.sort();
}

describe("pods: external payloads", () => {
  let root: string;
  let storage: MemoryStorage;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "lure-payloads-"));
    storage = new MemoryStorage();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const external = (...parts: string[]) => path.join(root, "payload", "external", ...parts);

  async function refused(payloads: { ref: string; data?: string }[], pattern: RegExp, limits = LIMITS): Promise<string> {
    try {
      await resolveExternalPayloads({ root, payloads, storage, limits });
    } catch (error) {
      expect((error as Error).message).to.match(pattern);
      return (error as Error).message;
    }
    throw new Error(`expected the payloads to be refused with ${pattern}`);
  }

  /** A refusal leaves payload/external as it was and no staging folder behind. */
  async function expectUntouched(): Promise<void> {
    expect(await readFile(external("keep.txt"), "utf8")).to.equal("kept");
    expect(await listTree(path.join(root, "payload"))).to.deep.equal(["external/keep.txt"]);
    expect((await readdir(root)).filter((name) => name.includes("staging"))).to.deep.equal([]);
    expect((await readdir(path.join(root, "payload"))).filter((name) => name.startsWith("."))).to.deep.equal([]);
  }

  async function seedExisting(): Promise<void> {
    await mkdir(external(), { recursive: true });
    await writeFile(external("keep.txt"), "kept");
  }

  describe("resolving", () => {
    it("unpacks a zip found at a path inside a pod collection (GET /bzz/ref/images.zip)", async () => {
      const zip = makeZip({ "images/cat.jpg": { data: text("meow") }, "images/dog.jpg": { data: text("woof") }, "run.sh": { data: text("#!/bin/sh\n"), unixMode: 0o100755 } });
      const ref = storage.putCollection({ "recipe.json": "{}", "images.zip": zip });
      const resolved = await resolveExternalPayloads({ root, payloads: [{ ref, data: "/images.zip" }], storage, limits: LIMITS });
      expect(resolved).to.deep.equal([{ ref, data: "/images.zip", kind: "zip", files: 3, bytes: 18 }]);
      expect(await readFile(external("images/cat.jpg"), "utf8")).to.equal("meow");
      expect(await readFile(external("images/dog.jpg"), "utf8")).to.equal("woof");
      expect((await stat(external("run.sh"))).mode & 0o111).to.not.equal(0);
    });

    it("unpacks a tar given as raw bytes, and a tar.gz", async () => {
      const archive = await makeTar([{ name: "data/a.csv", data: text("1,2") }, { name: "data/", type: "directory" }]);
      const rawRef = await storage.uploadBytes(archive);
      const gzRef = await storage.uploadBytes(gzipSync(await makeTar([{ name: "more/b.csv", data: text("3,4") }])));
      const resolved = await resolveExternalPayloads({ root, payloads: [{ ref: rawRef }, { ref: gzRef, data: "/" }], storage, limits: LIMITS });
      expect(resolved.map((entry) => entry.kind)).to.deep.equal(["tar", "tar"]);
      expect(await listTree(external())).to.deep.equal(["data/a.csv", "more/b.csv"]);
    });

    it("copies other files as they are: by name from a single-file upload, by reference from raw bytes", async () => {
      const fileRef = await storage.uploadFile(text("label,score"), "labels.csv");
      const bytesRef = await storage.uploadBytes(text("opaque"));
      await resolveExternalPayloads({ root, payloads: [{ ref: fileRef }, { ref: bytesRef }], storage, limits: LIMITS });
      expect(await readFile(external("labels.csv"), "utf8")).to.equal("label,score");
      expect(await readFile(external(bytesRef), "utf8")).to.equal("opaque");
    });

    it("replaces a previous payload/external whole", async () => {
      await seedExisting();
      const ref = storage.putCollection({ "x.txt": "new" });
      await resolveExternalPayloads({ root, payloads: [{ ref, data: "/x.txt" }], storage, limits: LIMITS });
      expect(await listTree(external())).to.deep.equal(["x.txt"]);
    });

    it("names the missing file and collection", async () => {
      await seedExisting();
      const ref = storage.putCollection({ "other.zip": "x" });
      await refused([{ ref, data: "/images.zip" }], new RegExp(`cannot fetch "images\\.zip" from collection ${ref}`));
      await expectUntouched();
    });
  });

  describe("hostile archives are refused and nothing is written", () => {
    beforeEach(seedExisting);

    it("zip entry climbing out with ../", async () => {
      const ref = await storage.uploadBytes(makeZip({ "../evil.txt": { data: text("x") } }));
      await refused([{ ref }], /entry "\.\.\/evil\.txt" escapes the destination folder/);
      await expectUntouched();
      expect(await stat(path.join(root, "payload", "evil.txt")).catch(() => undefined)).to.equal(undefined);
    });

    it("zip entry with a nested ../ and an absolute path", async () => {
      const nested = await storage.uploadBytes(makeZip({ "a/../../b.txt": { data: text("x") } }));
      await refused([{ ref: nested }], /escapes the destination folder/);
      const absolute = await storage.uploadBytes(makeZip({ "/etc/evil": { data: text("x") } }));
      await refused([{ ref: absolute }], /entry "\/etc\/evil" is an absolute path/);
      await expectUntouched();
    });

    it("tar entries with ../, absolute paths and backslashes", async () => {
      for (const [name, why] of [
        ["../../x", /escapes the destination folder/],
        ["/abs/x", /is an absolute path/],
        ["a\\..\\x", /contains a backslash/],
      ] as const) {
        const ref = await storage.uploadBytes(await makeTar([{ name: "ok.txt", data: text("fine") }, { name, data: text("x") }]));
        await refused([{ ref }], why);
      }
      await expectUntouched();
    });

    it("a symlink in a zip", async () => {
      const ref = await storage.uploadBytes(makeZip({ "ok.txt": { data: text("fine") }, link: { data: text("/etc/passwd"), unixMode: 0o120777 } }));
      await refused([{ ref }], /entry "link" is a symbolic link; links are not allowed/);
      await expectUntouched();
    });

    it("symlinks, hard links and devices in a tar", async () => {
      const cases = [
        [{ name: "link", type: "symlink", linkname: "/etc/passwd" }, /entry "link" is a symbolic link/],
        [{ name: "hard", type: "link", linkname: "../../outside" }, /entry "hard" is a hard link/],
        [{ name: "tty", type: "character-device" }, /entry "tty" is a character-device; only files and folders/],
        [{ name: "pipe", type: "fifo" }, /entry "pipe" is a fifo/],
      ] as const;
      for (const [entry, why] of cases) {
        const ref = await storage.uploadBytes(await makeTar([{ name: "ok.txt", data: text("fine") }, { ...entry }]));
        await refused([{ ref }], why);
      }
      await expectUntouched();
    });

    it("a zip bomb: refused by its declared size before inflating", async () => {
      const bomb = zipBomb();
      expect(bomb.length).to.be.below(50_000);
      const ref = await storage.uploadBytes(bomb);
      await refused([{ ref }], /declares \d+ bytes or more, above the limit of 10485760 bytes/);
      await expectUntouched();
    });

    it("a zip bomb that lies about its size in the headers", async () => {
      const liar = lieAboutZipSizes(zipBomb(), 1000);
      const ref = await storage.uploadBytes(liar);
      await refused([{ ref }], /entry "zeros\.bin" inflates beyond its declared 1000 bytes/);
      await expectUntouched();
    });

    it("a gzip bomb", async () => {
      const ref = await storage.uploadBytes(gzipSync(new Uint8Array(16 * 1024 * 1024)));
      await refused([{ ref }], /unpacks to more than the limit of 10485760 bytes/);
      await expectUntouched();
    });

    it("a tar bigger than the limit", async () => {
      const ref = await storage.uploadBytes(await makeTar([{ name: "big.bin", data: new Uint8Array(2 * 1024 * 1024) }]));
      await refused([{ ref }], /entry "big\.bin" declares 2097152 bytes, above the limit of 1048576 bytes/, { maxBytes: 1024 * 1024, maxEntries: 10 });
      await expectUntouched();
    });

    it("too many entries", async () => {
      const files: Record<string, { data: Uint8Array }> = {};
      for (let index = 0; index < 20; index += 1) files[`f${index}`] = { data: text("x") };
      const ref = await storage.uploadBytes(makeZip(files));
      await refused([{ ref }], /holds 20 entries, more than the limit of 5/, { maxBytes: LIMITS.maxBytes, maxEntries: 5 });
      await expectUntouched();
    });

    it("a later payload failing undoes the earlier ones", async () => {
      const good = await storage.uploadBytes(makeZip({ "good.txt": { data: text("ok") } }));
      const bad = await storage.uploadBytes(makeZip({ "../bad": { data: text("x") } }));
      await refused([{ ref: good }, { ref: bad }], /escapes/);
      await expectUntouched();
    });

    it("two payloads writing the same file", async () => {
      const first = await storage.uploadBytes(makeZip({ "same.txt": { data: text("1") } }));
      const second = await storage.uploadBytes(makeZip({ "same.txt": { data: text("2") } }));
      await refused([{ ref: first }, { ref: second }], /entry "same\.txt" cannot be written/);
      await expectUntouched();
    });

    it("a corrupted zip entry (CRC mismatch)", async () => {
      const zip = makeZip({ "a.txt": { data: text("hello hello hello"), store: true } });
      const corrupted = Uint8Array.from(zip);
      const at = Buffer.from(corrupted).indexOf("hello");
      corrupted[at] = "j".charCodeAt(0);
      const ref = await storage.uploadBytes(corrupted);
      await refused([{ ref }], /entry "a\.txt" fails its CRC check/);
      await expectUntouched();
    });
  });

  describe("entry names", () => {
    it("normalises harmless forms and refuses the rest", () => {
      expect(safeEntryPath("./a//b/./c.txt", "t")).to.equal("a/b/c.txt");
      for (const bad of ["..", "a/../../b", "/x", "C:/x", "a\\b", "a\u0000b", "", "./"]) {
        expect(() => safeEntryPath(bad, "t"), JSON.stringify(bad)).to.throw(UnsafeArchiveError);
      }
    });
  });
});
