import * as path from 'node:path';
import { modulesIn, projectPaths } from '../project/paths';

/** Every function exported by the activities folder, one module per concern, as Temporal activities. */
export function loadActivities(activitiesDir = projectPaths.activitiesDir): Record<string, (...args: any[]) => unknown> {
  const activities: Record<string, (...args: any[]) => unknown> = {};
  const origin = new Map<string, string>();
  for (const file of modulesIn(activitiesDir)) {
    for (const [name, value] of Object.entries(require(file) as Record<string, unknown>)) {
      if (typeof value !== 'function') continue;
      const where = path.basename(file);
      if (origin.has(name)) throw new Error(`Activity "${name}" is exported by both ${origin.get(name)} and ${where}; rename one.`);
      origin.set(name, where);
      activities[name] = value as (...args: any[]) => unknown;
    }
  }
  return activities;
}
