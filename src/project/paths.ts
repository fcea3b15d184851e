import * as path from 'node:path';
import * as fs from 'node:fs';

/**
 * Where the user's flows and tasks live. Compiled code (dist/src/project) finds the compiled
 * folders beside it; sources run by jest find the TypeScript folders.
 */
const root = path.resolve(__dirname, '..', '..');

export const projectPaths = {
  root,
  workflowsDir: path.join(root, 'workflows'),
  activitiesDir: path.join(root, 'activities'),
  builtinWorkflows: path.join(root, 'src', 'flow', 'builtin'),
  workflowInterceptors: path.join(root, 'src', 'flow', 'interceptors'),
};

const MODULE_EXTENSIONS = ['.ts', '.js'];

/** The modules of a folder (one per flow or concern), in a stable order. */
export function modulesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => MODULE_EXTENSIONS.includes(path.extname(f)) && !f.endsWith('.d.ts') && !f.includes('.test.'))
    .sort()
    .map((f) => path.join(dir, f));
}
