import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSshConfig, type SshConfigReader } from "./ssh_config_load.ts";
import { resolveSshConfig } from "./ssh_config_resolve.ts";
import { expandGlob, matchGlobComponent } from "./ssh_config_glob.ts";
import type { SshConfigFile } from "./ssh_config_parse.ts";

/** A reader over an in-memory tree; `reads` records each read and whether it was private. */
function memoryReader(files: Record<string, string>) {
  const reads: string[] = [];
  const reader: SshConfigReader = {
    readFile: (path, { private: isPrivate }) => {
      reads.push(`${path}${isPrivate ? " (private)" : ""}`);
      return Promise.resolve(files[path]);
    },
    listDirectory: (dir) => {
      const prefix = dir.endsWith("/") ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const path of Object.keys(files)) {
        if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split("/")[0]);
      }
      return Promise.resolve(names.size ? [...names] : undefined);
    },
  };
  return { reader, reads };
}

const local = { localUser: "me", home: "/home/me" };

function includedFiles(file: SshConfigFile): string[] {
  return file.entries.flatMap((e) =>
    e.kind === "include" ? e.files.flatMap((f) => [f.file, ...includedFiles(f)]) : []
  );
}

test("Include: globs in byte order, ~, relative to ~/.ssh for a user's file, missing ones skipped", async () => {
  const { reader, reads } = memoryReader({
    "/home/me/.ssh/config": "Include conf.d/*.conf ~/extra nothere /abs/*/x\nPort 1\n",
    "/home/me/.ssh/conf.d/b.conf": "User b\n",
    "/home/me/.ssh/conf.d/a.conf": "User a\n",
    "/home/me/.ssh/conf.d/.hidden.conf": "User hidden\n",
    "/home/me/.ssh/conf.d/c.txt": "User c\n",
    "/home/me/extra": "ConnectTimeout 3\n",
    "/abs/one/x": "ServerAliveInterval 1\n",
    "/abs/two/y": "ServerAliveInterval 2\n",
  });
  const file = await loadSshConfig("~/.ssh/config", { reader, ...local, private: true });
  assert.ok(file);
  assert.deepEqual(includedFiles(file), [
    "/home/me/.ssh/conf.d/a.conf",
    "/home/me/.ssh/conf.d/b.conf",
    "/home/me/extra",
    "/abs/one/x",
  ]);
  assert.ok(reads.includes("/home/me/.ssh/config (private)"));
  assert.ok(reads.includes("/home/me/.ssh/nothere (private)"), "included files are private");
  const c = resolveSshConfig({ host: "h", files: [file], ...local });
  assert.deepEqual([c.user, c.connectTimeout, c.serverAliveInterval, c.port], ["a", 3, 1, 1]);
});

test("Include in the system file: relative to /etc/ssh, ~ refused", async () => {
  const { reader } = memoryReader({
    "/etc/ssh/ssh_config": "Include ssh_config.d/*.conf\n",
    "/etc/ssh/ssh_config.d/20-x.conf": "Port 20\n",
  });
  const file = await loadSshConfig("/etc/ssh/ssh_config", { reader, ...local, user: false });
  assert.deepEqual(includedFiles(file!), ["/etc/ssh/ssh_config.d/20-x.conf"]);
  const bad = memoryReader({ "/etc/ssh/ssh_config": "\nInclude ~/x\n" });
  await assert.rejects(
    loadSshConfig("/etc/ssh/ssh_config", { reader: bad.reader, ...local, user: false }),
    {
      name: "SshConfigError",
      code: "ERR_SSH_CONFIG",
      message: "/etc/ssh/ssh_config line 2: bad include path ~/x.",
    },
  );
});

test("Include: nesting is bounded (a file that includes itself)", async () => {
  const { reader } = memoryReader({ "/c": "Include /c\n" });
  await assert.rejects(loadSshConfig("/c", { reader, ...local }), {
    name: "SshConfigError",
    message: "/c line 1: Too many recursive configuration includes",
  });
  const missing = memoryReader({});
  assert.equal(await loadSshConfig("/none", { reader: missing.reader, ...local }), undefined);
});

test("a bad line in any included file is an error, with its own file and line", async () => {
  const { reader } = memoryReader({
    "/c": "Host nomatch\n  Include /d\n",
    "/d": "\n\nPort abc\n",
  });
  await assert.rejects(loadSshConfig("/c", { reader, ...local }), {
    message: "/d line 3: Bad port 'abc'.",
  });
});

test("glob: *, ?, [...], [!...], leading dots, escapes", async () => {
  assert.equal(matchGlobComponent("a.conf", "*.conf"), true);
  assert.equal(matchGlobComponent(".a.conf", "*.conf"), false);
  assert.equal(matchGlobComponent(".a.conf", ".*"), true);
  assert.equal(matchGlobComponent("x1", "x?"), true);
  assert.equal(matchGlobComponent("x", "x?"), false);
  assert.equal(matchGlobComponent("b", "[a-c]"), true);
  assert.equal(matchGlobComponent("b", "[!a-c]"), false);
  assert.equal(matchGlobComponent("*", "\\*"), true);
  assert.equal(matchGlobComponent("a", "\\*"), false);
  assert.equal(matchGlobComponent("[", "["), true, "an unclosed [ is literal");
  // a long name against many stars stays fast (no backtracking blow-up)
  assert.equal(matchGlobComponent("a".repeat(200), "*a*a*a*a*a*a*a*a*a*b"), false);
  assert.deepEqual(await expandGlob("/no/magic", () => Promise.resolve(undefined)), ["/no/magic"]);
  assert.deepEqual(await expandGlob("/x/*", () => Promise.resolve(undefined)), []);
});
