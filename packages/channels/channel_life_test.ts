import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ChannelEvent,
  type ChannelLife,
  moveChannelLife,
  nextChannelLife,
} from "./channel_life.ts";
import { SshError } from "@hush/wire";
import { ChannelError } from "./errors.ts";

const open = (eofSent = false, eofReceived = false): ChannelLife => ({
  phase: "open",
  eofSent,
  eofReceived,
});

test("channel life: the table's moves, and nothing else", () => {
  const opening: ChannelLife = { phase: "opening" };
  assert.deepEqual(nextChannelLife(opening, "confirmed"), open());
  assert.deepEqual(nextChannelLife(open(), "eof-sent"), open(true));
  assert.deepEqual(nextChannelLife(open(true), "eof-received"), open(true, true));
  assert.deepEqual(nextChannelLife(open(false, true), "close-sent"), {
    phase: "closing",
    eofReceived: true,
  });
  assert.deepEqual(nextChannelLife({ phase: "closing", eofReceived: false }, "eof-received"), {
    phase: "closing",
    eofReceived: true,
  });
  assert.deepEqual(nextChannelLife({ phase: "closing", eofReceived: true }, "close-received"), {
    phase: "closed",
  });
  assert.deepEqual(nextChannelLife(open(), "close-received"), { phase: "closed" });
  for (const from of [opening, open(), { phase: "closed" } as ChannelLife]) {
    assert.deepEqual(nextChannelLife(from, "torn-down"), { phase: "closed" });
  }
  // What the table lacks: EOF twice, anything before the open is confirmed, anything after
  // the end, a second confirmation, sending after our CLOSE.
  const missing: [ChannelLife, string][] = [
    [open(true), ChannelEvent.EOF_SENT],
    [open(false, true), ChannelEvent.EOF_RECEIVED],
    [{ phase: "closing", eofReceived: true }, ChannelEvent.EOF_RECEIVED],
    [opening, ChannelEvent.EOF_RECEIVED],
    [opening, ChannelEvent.CLOSE_RECEIVED],
    [open(), ChannelEvent.CONFIRMED],
    [{ phase: "closing", eofReceived: false }, ChannelEvent.CLOSE_SENT],
    [{ phase: "closing", eofReceived: false }, ChannelEvent.EOF_SENT],
    [{ phase: "closed" }, ChannelEvent.CONFIRMED],
    [{ phase: "closed" }, ChannelEvent.EOF_RECEIVED],
  ];
  for (const [life, event] of missing) {
    assert.equal(nextChannelLife(life, event as never), undefined, `${life.phase} ${event}`);
    assert.throws(() => moveChannelLife(life, event as never, "channel 3"), (e) => {
      assert.ok(e instanceof ChannelError && e instanceof SshError);
      assert.equal(e.code, "ERR_SSH_CHANNEL");
      return true;
    });
  }
});
