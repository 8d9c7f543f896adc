// A line diff (longest common subsequence) of two JSON values, for the task history:
// "what changed" reads as - and + lines with the unchanged lines around them.

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Pretty JSON of a value; undefined (a field that did not exist) is an empty text. */
export function jsonLines(value: unknown): string[] {
  return value === undefined ? [] : JSON.stringify(value, null, 2).split('\n');
}

/** The lines of `a` and `b` as kept, removed and added, in order. Quadratic: fine for task definitions. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removals first, like every diff tool: "- old" reads before "+ new".
      out.push({ op: '-', text: a[i++]! });
    } else {
      out.push({ op: '+', text: b[j++]! });
    }
  }
  return out;
}

/** Keeps changed lines and `context` unchanged lines around them; longer unchanged runs become one "…" line. */
export function withContext(lines: readonly DiffLine[], context = 2): (DiffLine | null)[] {
  const near = lines.map((_, i) => lines.slice(Math.max(0, i - context), i + context + 1).some((l) => l.op !== ' '));
  const out: (DiffLine | null)[] = [];
  lines.forEach((line, i) => {
    if (near[i]) out.push(line);
    else if (out.at(-1) !== null) out.push(null);
  });
  return out;
}
