import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** bench/results/ in the source tree (git-ignored), not under dist/, so results survive a rebuild. */
const RESULTS_DIR = new URL('../../../bench/results/', import.meta.url);

/** ISO 8601 basic format (20260102T030405Z): sortable, and free of the colons some file systems reject. */
function fileStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export async function writeResultFile(name: string, date: Date, json: string): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = fileURLToPath(new URL(`${name}-${fileStamp(date)}.json`, RESULTS_DIR));
  await writeFile(file, json);
  return file;
}
