import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnDenoChild } from "./deno_child.ts";

// deno-lint-ignore no-explicit-any
const onDeno = typeof (globalThis as any).Deno?.Command === "function";
const PATH = { PATH: "/usr/bin:/bin" };

test("spawnDenoChild: exactly the environment given, stdin through, status", {
  skip: !onDeno && "Deno.Command is Deno's",
}, async () => {
  const p = spawnDenoChild(
    "/bin/sh",
    ["-c", 'cat; echo "[$ONLY:$HOME]" >&2; exit 7'],
    {
      ...PATH,
      ONLY: "this",
    },
    "/",
    false,
  );
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode("in"));
  await w.close();
  const [out, err] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
  ]);
  assert.equal(out, "in");
  assert.equal(err, "[this:]\n");
  assert.deepEqual(await p.exit, { code: 7, signal: null });
  assert.equal(await p.resize(80, 24), false, "no pty");
});

test("spawnDenoChild: a signal by its SSH name ends it, reported without SIG", {
  skip: !onDeno && "Deno.Command is Deno's",
}, async () => {
  const p = spawnDenoChild("/bin/sh", ["-c", "exec sleep 30"], PATH, "/", false);
  p.kill("TERM");
  assert.deepEqual(await p.exit, { code: null, signal: "TERM" });
  p.kill("NOSUCHSIGNAL"); // after the end, and unknown: ignored
  await p.stdout.cancel();
  await p.stderr.cancel();
});

test("spawnDenoChild: a file that cannot be started: no output, status 127", {
  skip: !onDeno && "Deno.Command is Deno's",
}, async () => {
  const p = spawnDenoChild("/nonexistent/command", [], PATH, "/", false);
  assert.equal(await new Response(p.stdout).text(), "");
  assert.deepEqual(await p.exit, { code: 127, signal: null });
});
