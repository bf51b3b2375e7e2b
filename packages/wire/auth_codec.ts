/**
 * Encode and decode of the user authentication messages (numbers 50–79: RFC 4252, RFC 4256).
 * Numbers 60–79 mean a different message under each method, so decoding them needs the method in
 * progress from the `DecodeContext`.
 * @module
 */
import type { AuthMessage } from "./auth_messages.ts";
import { readCount } from "./list_limit.ts";
import { type DecodeContext, type Message, MessageNumber as N } from "./messages.ts";
import type { SshReader } from "./reader.ts";
import type { SshWriter } from "./writer.ts";

/** Writes a user authentication message, message number first. */
export function writeAuthMessage(w: SshWriter, msg: AuthMessage): void {
  switch (msg.type) {
    case "userauthRequest":
      w.byte(N.USERAUTH_REQUEST).string(msg.user).ascii(msg.service);
      switch (msg.method) {
        case "none":
          w.string("none");
          return;
        case "publickey":
          w.string("publickey").boolean(msg.signature !== undefined).ascii(msg.algorithm).string(
            msg.publicKey,
          );
          if (msg.signature !== undefined) w.string(msg.signature);
          return;
        case "password":
          w.string("password").boolean(msg.newPassword !== undefined).string(msg.password);
          if (msg.newPassword !== undefined) w.string(msg.newPassword);
          return;
        case "keyboard-interactive":
          w.string("keyboard-interactive").string(msg.language).string(msg.submethods);
          return;
        case "other":
          w.ascii(msg.name).raw(msg.data);
          return;
      }
      return;
    case "userauthFailure":
      w.byte(N.USERAUTH_FAILURE).nameList(msg.methods).boolean(msg.partialSuccess);
      return;
    case "userauthSuccess":
      w.byte(N.USERAUTH_SUCCESS);
      return;
    case "userauthBanner":
      w.byte(N.USERAUTH_BANNER).string(msg.message).string(msg.language);
      return;
    case "userauthPkOk":
      w.byte(N.USERAUTH_PK_OK).ascii(msg.algorithm).string(msg.publicKey);
      return;
    case "userauthPasswdChangereq":
      w.byte(N.USERAUTH_PASSWD_CHANGEREQ).string(msg.prompt).string(msg.language);
      return;
    case "userauthInfoRequest":
      w.byte(N.USERAUTH_INFO_REQUEST).string(msg.name).string(msg.instruction).string(msg.language)
        .uint32(msg.prompts.length);
      for (const p of msg.prompts) w.string(p.prompt).boolean(p.echo);
      return;
    case "userauthInfoResponse":
      w.byte(N.USERAUTH_INFO_RESPONSE).uint32(msg.responses.length);
      for (const r of msg.responses) w.string(r);
      return;
  }
}

/**
 * Reads a user authentication message after its number `n` (the method-specific 60–79 as
 * `ctx.auth` gives them meaning); `undefined` when `n` is not one of them.
 */
export function readAuthMessage(n: number, r: SshReader, ctx: DecodeContext): Message | undefined {
  let m: Message;
  switch (n) {
    case N.USERAUTH_REQUEST:
      return decodeUserauthRequest(r);
    case N.USERAUTH_FAILURE:
      m = { type: "userauthFailure", methods: r.nameList(), partialSuccess: r.boolean() };
      break;
    case N.USERAUTH_SUCCESS:
      m = { type: "userauthSuccess" };
      break;
    case N.USERAUTH_BANNER:
      m = { type: "userauthBanner", message: r.utf8(), language: r.utf8() };
      break;
    default:
      if (n >= 60 && n <= 79) return decodeAuthMethod(n, r, ctx);
      return undefined;
  }
  r.end();
  return m;
}

function decodeAuthMethod(n: number, r: SshReader, ctx: DecodeContext): Message | undefined {
  let m: Message;
  if (ctx.auth === "publickey" && n === N.USERAUTH_PK_OK) {
    m = { type: "userauthPkOk", algorithm: r.ascii(), publicKey: r.string() };
  } else if (ctx.auth === "password" && n === N.USERAUTH_PASSWD_CHANGEREQ) {
    m = { type: "userauthPasswdChangereq", prompt: r.utf8(), language: r.utf8() };
  } else if (ctx.auth === "keyboard-interactive" && n === N.USERAUTH_INFO_REQUEST) {
    const name = r.utf8(), instruction = r.utf8(), language = r.utf8();
    const k = readCount(r, "prompts");
    const prompts = [];
    for (let i = 0; i < k; i++) prompts.push({ prompt: r.utf8(), echo: r.boolean() });
    m = { type: "userauthInfoRequest", name, instruction, language, prompts };
  } else if (ctx.auth === "keyboard-interactive" && n === N.USERAUTH_INFO_RESPONSE) {
    const k = readCount(r, "responses");
    const responses = [];
    for (let i = 0; i < k; i++) responses.push(r.utf8());
    m = { type: "userauthInfoResponse", responses };
  } else {
    return undefined;
  }
  r.end();
  return m;
}

function decodeUserauthRequest(r: SshReader): Message {
  const user = r.utf8();
  const service = r.ascii();
  const method = r.ascii();
  let m: Message;
  switch (method) {
    case "none":
      m = { type: "userauthRequest", user, service, method };
      break;
    case "publickey": {
      const signed = r.boolean();
      const algorithm = r.ascii();
      const publicKey = r.string();
      m = signed
        ? {
          type: "userauthRequest",
          user,
          service,
          method,
          algorithm,
          publicKey,
          signature: r.string(),
        }
        : { type: "userauthRequest", user, service, method, algorithm, publicKey };
      break;
    }
    case "password": {
      const change = r.boolean();
      const password = r.utf8();
      m = change
        ? { type: "userauthRequest", user, service, method, password, newPassword: r.utf8() }
        : { type: "userauthRequest", user, service, method, password };
      break;
    }
    case "keyboard-interactive":
      m = {
        type: "userauthRequest",
        user,
        service,
        method,
        language: r.utf8(),
        submethods: r.utf8(),
      };
      break;
    default:
      return {
        type: "userauthRequest",
        user,
        service,
        method: "other",
        name: method,
        data: r.rest(),
      };
  }
  r.end();
  return m;
}
