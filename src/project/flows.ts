import * as path from 'node:path';
import { flowDefinitionOf, type FlowDefinition } from '../flow/define';
import { modulesIn, projectPaths } from './paths';

export class FlowModuleError extends Error {
  readonly type = 'config_error';
}

/**
 * Loads the flow definitions of the workflows folder, keyed by flow type. A flow must be exported
 * under its own name, since Temporal names a workflow type after its export.
 */
export function loadFlowModules(workflowsDir = projectPaths.workflowsDir): Map<string, FlowDefinition> {
  const flows = new Map<string, FlowDefinition>();
  for (const file of modulesIn(workflowsDir)) {
    const exports = require(file) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(exports)) {
      const definition = flowDefinitionOf(value);
      if (!definition) continue;
      const where = path.relative(process.cwd(), file);
      if (definition.name !== exportName) {
        throw new FlowModuleError(`${where} exports flow "${definition.name}" as "${exportName}"; export it as "${definition.name}".`);
      }
      if (flows.has(definition.name)) throw new FlowModuleError(`Flow "${definition.name}" is defined twice; ${where} must rename it.`);
      flows.set(definition.name, definition);
    }
  }
  return flows;
}
