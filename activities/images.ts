import { blocked, type BlockedOutcome } from '../src/task';

/** Tasks of the `thumbnailBatch` example flow. */

export async function renderThumbnail(imageUrl: string, size: number): Promise<string | BlockedOutcome> {
  if (imageUrl.endsWith('.tiff')) return blocked(`${imageUrl} is a TIFF; convert it, then resume the flow`);
  return `${imageUrl.replace(/\.\w+$/, '')}-${size}.png`;
}

export async function buildContactSheet(thumbnails: string[]): Promise<string> {
  return `contact-sheet(${thumbnails.length})`;
}
