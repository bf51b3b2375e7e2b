/**
 * Reading a child process's output on Deno: 256 MiB of `head -c … /dev/zero` through
 * `Deno.Command`'s stdout, with a default reader (a fresh buffer per read, as
 * `node:child_process` hands out) or a BYOB reader into one reused buffer (what the Hush sshd
 * does since `copyByteStream`). Run in fresh processes, with `/usr/bin/time -f '%U+%S %R'` for
 * CPU and page faults:
 *
 * ```sh
 * for m in byob default; do /usr/bin/time -f "%U+%S %R" deno run -A bench/child_output_read.ts $m; done
 * ```
 * @module
 */
const mode = Deno.args[0] === "default" ? "default" : "byob";
const bytes = 256 * 1024 * 1024;
const t0 = performance.now();
const child = new Deno.Command("head", {
  args: ["-c", String(bytes), "/dev/zero"],
  stdout: "piped",
})
  .spawn();
let got = 0;
let reads = 0;
if (mode === "byob") {
  const reader = child.stdout.getReader({ mode: "byob" });
  let buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const { value, done } = await reader.read(buffer);
    if (done) break;
    got += value.length;
    reads++;
    buffer = new Uint8Array(value.buffer); // the same memory, handed back
  }
} else {
  const reader = child.stdout.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    got += value.length;
    reads++;
  }
}
await child.status;
if (got !== bytes) throw new Error(`read ${got} of ${bytes} bytes`);
console.log(`${mode}: ${reads} reads, ${(performance.now() - t0).toFixed(0)} ms`);
