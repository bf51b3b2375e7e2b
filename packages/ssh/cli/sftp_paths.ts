/**
 * Paths as `sftp`'s commands take them: remote ones against the remote working directory (`~`
 * expanded by the server), local ones against the local one, and a glob in the last segment.
 * @module
 */
import { normalizePath } from "@hush/sftp";
import type { SftpShell } from "./sftp_shell.ts";

/** Whether a path holds glob characters. */
export function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/** A glob of one path segment as a regular expression (`*`, `?`, `[…]`). */
function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let set = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (set.startsWith("!")) set = "^" + set.slice(1);
        re += `[${set}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1) || trimmed;
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

export function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** A remote path made absolute against the working directory (`~` expanded by the server). */
export async function remotePath(shell: SftpShell, path: string): Promise<string> {
  if (path === "~" || path.startsWith("~/") || /^~[^/]+/.test(path)) {
    return await shell.sftp.expandPath(path);
  }
  return path.startsWith("/") ? path : join(shell.remoteDir, path);
}

/** A local path made absolute against the local working directory (`~` is the home). */
export function localPath(shell: SftpShell, path: string): string {
  if (path === "~" || path.startsWith("~/")) path = shell.localHome + path.slice(1);
  return normalizePath(path, shell.localDir);
}

/** Remote paths matching a glob in its last segment (sorted), or the path itself. */
export async function remoteGlob(shell: SftpShell, path: string): Promise<string[]> {
  const abs = await remotePath(shell, path);
  if (!hasGlob(basename(abs))) return [abs];
  const dir = dirname(abs);
  const re = globRegExp(basename(abs));
  const names = (await shell.sftp.list(dir).catch(() => []))
    .map((e) => e.filename).filter((n) =>
      re.test(n) && (!n.startsWith(".") || basename(abs).startsWith("."))
    );
  return names.sort().map((n) => join(dir, n));
}

export async function localGlob(shell: SftpShell, path: string): Promise<string[]> {
  const abs = localPath(shell, path);
  if (!hasGlob(basename(abs))) return [abs];
  const dir = dirname(abs);
  const re = globRegExp(basename(abs));
  const names = (await shell.local.readdir(dir).catch(() => [])).filter((n) => re.test(n));
  return names.sort().map((n) => join(dir, n));
}
