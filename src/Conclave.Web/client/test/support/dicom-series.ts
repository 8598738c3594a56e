// Synthetic DICOM series for the viewer and de-identification tests, written at test time by
// tests/support/make-dicom-series.py (python3-pydicom and dcmtk, installed by scripts/setup.sh), and the
// pixel pattern that script documents, to check decoded values against.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
// The test bundles live in artifacts/client-tests/: two levels below the repository root.
const generator = fileURLToPath(new URL("../../tests/support/make-dicom-series.py", import.meta.url));
/** Debian's interpreter, the one python3-pydicom is installed for. */
export const PYTHON = "/usr/bin/python3";

const made = new Map<string, Promise<ArrayBuffer[]>>();

/** The series make-dicom-series.py writes with these arguments (besides --out), slice-000 first. */
export function makeSeries(...args: string[]): Promise<ArrayBuffer[]> {
  const key = args.join(" ");
  let series = made.get(key);
  if (series === undefined) {
    series = generate(args);
    made.set(key, series);
  }
  return series;
}

async function generate(args: string[]): Promise<ArrayBuffer[]> {
  const dir = await mkdtemp(join(tmpdir(), "dicom-series-"));
  try {
    await run(PYTHON, [generator, ...args, "--out", dir]);
    const names = (await readdir(dir)).filter((name) => name.endsWith(".dcm")).sort();
    const files: ArrayBuffer[] = [];
    for (const name of names) {
      const bytes = await readFile(join(dir, name));
      files.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    }
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a pydicom check script over files written to a temporary directory (argv[1..] are their paths). */
export async function withPydicom(script: string, files: ArrayBuffer[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "dicom-check-"));
  try {
    const paths: string[] = [];
    for (const [index, file] of files.entries()) {
      const path = join(dir, `file-${index}.dcm`);
      await writeFile(path, new Uint8Array(file));
      paths.push(path);
    }
    const { stdout } = await run(PYTHON, ["-c", script, ...paths]);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Pattern { bits: 8 | 16; signed?: boolean; slope?: number; intercept?: number }

/** The stored value make-dicom-series.py writes at slice k, row r, column c (its docstring). */
export function storedValue(pattern: Pattern, k: number, r: number, c: number): number {
  const inSquare = r >= 4 + 2 * k && r < 12 + 2 * k && c >= 4 + 3 * k && c < 12 + 3 * k;
  if (pattern.bits === 8) return inSquare ? 250 : 10 + 3 * c + 2 * r + k;
  if (inSquare) return 2000;
  return (pattern.signed ? -300 : 100) + 3 * c + 2 * r + k;
}

export function modalityValue(pattern: Pattern, k: number, r: number, c: number): number {
  return storedValue(pattern, k, r, c) * (pattern.slope ?? 1) + (pattern.intercept ?? 0);
}

export const ROWS = 32;
export const COLUMNS = 40;
