import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh project directory holding the given temporal.yaml text (none when `yaml` is null). */
export function projectWith(yaml: string | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-config-'));
  if (yaml !== null) fs.writeFileSync(path.join(dir, 'temporal.yaml'), yaml);
  return dir;
}
