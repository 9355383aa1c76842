/**
 * Pure parsers for what git prints about patches: the paths a patch touches, the files
 * `--name-status` lists, the files `git apply` refused. No I/O here.
 */

export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  /** The old path, for renames. */
  from?: string;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * Reads a C-style quoted string as git writes paths with unusual characters
 * (`"dir/caf\303\251.txt"`); octal escapes are UTF-8 bytes. Returns the text and where it ended.
 */
export function unquoteGitString(text: string, start = 0): { value: string; end: number } | undefined {
  if (text[start] !== '"') return undefined;
  const bytes: number[] = [];
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') return { value: Buffer.from(bytes).toString('utf8'), end: i + 1 };
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = text[++i];
    if (next !== undefined && /[0-7]/.test(next)) {
      bytes.push(parseInt(text.slice(i, i + 3), 8));
      i += 2;
    } else if (next !== undefined && next in ESCAPES) {
      bytes.push(ESCAPES[next]);
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** A path as git printed it: quoted, or bare with the tab git appends after names containing spaces. */
function readPath(raw: string): string {
  return unquoteGitString(raw)?.value ?? raw.replace(/\t$/, '');
}

function stripPrefix(p: string): string {
  return p.replace(/^[ab]\//, '');
}

/** Both paths of a `diff --git a/X b/Y` header. Bare names may hold spaces, so they are read as `a/X b/X`. */
function parseHeaderPaths(rest: string): string[] {
  const first = unquoteGitString(rest);
  if (first) return [first.value, readPath(rest.slice(first.end + 1))].map(stripPrefix);
  // Only binary and mode-only entries reach here, and those never rename: both sides are equal.
  const n = (rest.length - 5) / 2;
  if (Number.isInteger(n) && n > 0 && rest.startsWith('a/') && rest.slice(2 + n, 5 + n) === ' b/') {
    const a = rest.slice(2, 2 + n);
    if (a === rest.slice(5 + n)) return [a];
  }
  return [];
}

/**
 * The paths a patch touches, both sides of renames, in order of appearance, each once.
 * Reads the unambiguous `---`/`+++`/`rename` lines, falling back to the `diff --git` header
 * for binary and mode-only entries that have none.
 */
export function patchFiles(patch: string): string[] {
  const seen = new Set<string>();
  let header: string | undefined;
  let found: string[] = [];
  const flush = () => {
    const paths = found.length > 0 ? found : header === undefined ? [] : parseHeaderPaths(header);
    for (const p of paths) if (p && p !== '/dev/null') seen.add(p);
    found = [];
  };
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      flush();
      header = line.slice('diff --git '.length);
    } else if (header === undefined) {
      continue;
    } else if (line.startsWith('--- ') || line.startsWith('+++ ')) {
      const p = readPath(line.slice(4));
      if (p !== '/dev/null') found.push(stripPrefix(p));
    } else if (/^(rename|copy) (from|to) /.test(line)) {
      found.push(readPath(line.replace(/^(rename|copy) (from|to) /, '')));
    } else if (line.startsWith('@@') || line.startsWith('GIT binary patch')) {
      // Hunk bodies can contain lines that look like headers; only a new `diff --git` ends them.
      flush();
      header = undefined;
    }
  }
  flush();
  return [...seen];
}

/** Parses `git diff --name-status -z -M` output. */
export function parseNameStatus(output: string): ChangedFile[] {
  const fields = output.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i < fields.length; ) {
    const code = fields[i++];
    if (!code) continue;
    const letter = code[0];
    if (letter === 'R' || letter === 'C') {
      const from = fields[i++];
      const to = fields[i++];
      // A copy (-C) leaves its source in place: for a lane it is a new file.
      files.push(letter === 'R' ? { path: to, status: 'renamed', from } : { path: to, status: 'added' });
    } else {
      const p = fields[i++];
      const status = letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified';
      files.push({ path: p, status });
    }
  }
  return files;
}

const APPLY_FAILURES = [
  /^error: patch failed: (.+):\d+$/,
  /^error: (.+): (?:patch does not apply|already exists in (?:working directory|index)|does not exist in index|does not match index|No such file or directory|wrong type|has type \S+, expected \S+)$/,
  /^error: (?:cannot apply binary patch to|binary patch does not apply to|the patch applies to) '(.+?)'/,
];

/** The files `git apply` says it could not apply, from its stderr, each once. */
export function parseApplyFailures(stderr: string): string[] {
  const files = new Set<string>();
  for (const line of stderr.split('\n')) {
    for (const pattern of APPLY_FAILURES) {
      const match = pattern.exec(line.trimEnd());
      if (match) {
        files.add(readPath(match[1]));
        break;
      }
    }
  }
  return [...files];
}
