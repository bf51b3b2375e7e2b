/**
 * How the SFTP server turns a client's path into a file-system path: relative to the starting
 * directory, `.` and `..` resolved by name, and — under a root — kept inside it: `..` past the
 * root is refused, absolute paths start at the root, and a path whose real location (symbolic
 * links resolved) lies outside is refused before anything opens it.
 * @module
 */
import { SftpError } from "./errors.ts";
import type { SftpFileSystem } from "./file_system.ts";
import { StatusCode } from "./status.ts";

/** Errors of a missing path, as a file system throws them. */
const MISSING = new Set(["ENOENT", "ENOTDIR"]);

function denied(path: string, why: string): SftpError {
  return new SftpError(`Permission denied: ${why}`, {
    statusCode: StatusCode.PERMISSION_DENIED,
    path,
  });
}

/**
 * Joins `path` to `cwd` (when relative) and resolves `.` and `..` by name. Past `/`, `..` stays
 * at `/` (as POSIX), unless `strict`, when it is refused: what a root does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizePath } from "@hush/sftp";
 * assert.equal(normalizePath("../b/./c", "/home/a"), "/home/b/c");
 * assert.equal(normalizePath("/..", "/"), "/");
 * ```
 */
export function normalizePath(path: string, cwd: string, strict = false): string {
  const parts: string[] = [];
  const full = path.startsWith("/") ? path : `${cwd}/${path}`;
  for (const part of full.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) {
        if (strict) throw denied(path, "the path leaves the root");
        continue;
      }
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return "/" + parts.join("/");
}

/** The parent of a normalized absolute path (`/` is its own). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * Maps client paths (the server's view: `/` is the root when there is one) to file-system
 * paths, and checks that a path under a root does not reach outside it through symbolic links.
 */
export class ServerPaths {
  /** The real directory clients are kept in, or `undefined` for the whole file system. */
  readonly root?: string;
  /** The starting directory, in the client's view. */
  readonly home: string;
  #fs: SftpFileSystem;
  #rootReal: Promise<string> | undefined;

  constructor(fs: SftpFileSystem, root: string | undefined, home: string) {
    this.#fs = fs;
    if (root !== undefined) {
      this.root = normalizePath(root, "/");
      this.#rootReal = fs.realpath(this.root);
      this.#rootReal.catch(() => {});
    }
    this.home = normalizePath(home, "/", root !== undefined);
  }

  /** A client path in the client's view, normalized; `..` past a root is refused. */
  view(path: string): string {
    if (path.includes("\0")) {
      throw new SftpError("Bad message: a path with a NUL byte", {
        statusCode: StatusCode.BAD_MESSAGE,
        path,
      });
    }
    return normalizePath(path, this.home, this.root !== undefined);
  }

  /** The file-system path of a path in the client's view. */
  real(view: string): string {
    if (this.root === undefined) return view;
    return view === "/" ? this.root : this.root === "/" ? view : this.root + view;
  }

  /** The client's view of a file-system path, or `undefined` when it is outside the root. */
  toView(real: string): string | undefined {
    if (this.root === undefined || this.root === "/") return real;
    if (real === this.root) return "/";
    return real.startsWith(this.root + "/") ? real.slice(this.root.length) : undefined;
  }

  /**
   * Resolves a client path to a file-system path that stays inside the root: every existing
   * component, links resolved, must lie inside it. `followLast` is false for operations on the
   * path itself (lstat, remove, rename, readlink, making a link): then only its directory
   * counts. A dangling link on the way is refused (it could create a file outside).
   */
  async resolve(path: string, followLast: boolean): Promise<string> {
    const real = this.real(this.view(path));
    if (this.root !== undefined) await this.checkInside(real, followLast, path);
    return real;
  }

  /** Throws PERMISSION_DENIED when `real` (see `resolve`) reaches outside the root. */
  async checkInside(real: string, followLast: boolean, path: string): Promise<void> {
    if (this.#rootReal === undefined) return;
    let rootReal: string;
    try {
      rootReal = await this.#rootReal;
    } catch {
      throw denied(path, "the root directory is missing");
    }
    let probe = followLast ? real : parentPath(real);
    for (;;) {
      let resolved: string;
      try {
        resolved = await this.#fs.realpath(probe);
      } catch (e) {
        if (!MISSING.has((e as { code?: string }).code ?? "")) throw e;
        // missing: fine, unless it is there as a link to nowhere
        const dangling = await this.#fs.lstat(probe).then(() => true, () => false);
        if (dangling) throw denied(path, "a symbolic link points outside the root");
        if (probe === this.root || probe === "/") throw e;
        probe = parentPath(probe);
        continue;
      }
      if (resolved !== rootReal && !resolved.startsWith(rootReal === "/" ? "/" : rootReal + "/")) {
        throw denied(path, "a symbolic link points outside the root");
      }
      return;
    }
  }

  /**
   * The text a new symbolic link at `linkView` holds for the client's `target`: under a root,
   * an absolute target is made absolute on the file system (so it still means the same file),
   * and a target that leaves the root is refused.
   */
  linkText(target: string, linkView: string): string {
    if (this.root === undefined) return target;
    if (target.includes("\0")) throw denied(target, "a link target with a NUL byte");
    const view = normalizePath(target, parentPath(linkView), true);
    return target.startsWith("/") ? this.real(view) : target;
  }

  /** What READLINK answers: an absolute target under the root in the client's view. */
  linkView(text: string): string {
    if (this.root === undefined || !text.startsWith("/")) return text;
    return this.toView(normalizePath(text, "/")) ?? text;
  }
}
