import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { modulesIn, projectPaths } from '../project/paths';
import { loadFlowModules } from '../project/flows';

/**
 * Bundles every flow in the workflows folder plus TaskFlow's own workflows into one workflow
 * bundle. The entry module is generated, so adding a flow is adding a file.
 */
export async function bundleFlows(workflowsDir = projectPaths.workflowsDir): Promise<WorkflowBundleWithSourceMap> {
  loadFlowModules(workflowsDir); // fails early, naming the file, when a flow is exported under another name
  const modules = [...modulesIn(workflowsDir), projectPaths.builtinWorkflows];
  const entry = modules.map((m) => `export * from ${JSON.stringify(m.replace(/\.(ts|js)$/, ''))};`).join('\n') + '\n';
  // Inside the project, so the bundler resolves packages from its node_modules.
  const dir = path.join(projectPaths.root, '.temporal', 'build');
  fs.mkdirSync(dir, { recursive: true });
  const entryFile = path.join(dir, `workflows-${createHash('sha256').update(entry).digest('hex').slice(0, 12)}.js`);
  fs.writeFileSync(entryFile, entry);
  return bundleWorkflowCode({
    workflowsPath: entryFile,
    workflowInterceptorModules: [projectPaths.workflowInterceptors],
    logger: quietBundlerLogger,
  });
}

const ignore = () => undefined;
const quietBundlerLogger = {
  log: ignore,
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};
