import { Context } from '@temporalio/activity';
import { blocked, type BlockedOutcome } from '../src/task';

/** Tasks of the `thumbnailBatch` example flow. */

/**
 * TIFFs whose conversion someone was asked for, by flow. A demo stand-in for real conversion: the
 * first render of a TIFF blocks its task, and the render after `flow resume` assumes it was done.
 */
const conversionAsked = new Set<string>();

export async function renderThumbnail(imageUrl: string, size: number): Promise<string | BlockedOutcome> {
  if (imageUrl.endsWith('.tiff')) {
    const key = `${Context.current().info.workflowExecution?.workflowId} ${imageUrl}`;
    if (!conversionAsked.has(key)) {
      conversionAsked.add(key);
      return blocked(`${imageUrl} is a TIFF; convert it, then resume the flow`);
    }
  }
  return `${imageUrl.replace(/\.\w+$/, '')}-${size}.png`;
}

export async function buildContactSheet(thumbnails: string[]): Promise<string> {
  return `contact-sheet(${thumbnails.length})`;
}
