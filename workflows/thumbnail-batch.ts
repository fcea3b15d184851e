import { z } from 'zod';
import { defineFlow } from '../src/flow';
import type * as images from '../activities/images';

/** Fan out one task per image in parallel, then join them into a contact sheet. */
export const thumbnailBatch = defineFlow({
  name: 'thumbnailBatch',
  input: z.object({ images: z.array(z.string().min(1)).min(1).max(100), size: z.number().int().positive().default(256) }),
  goal: ({ images }) => `Render ${images.length} thumbnails and a contact sheet`,
  async run(flow, { images: urls, size }) {
    const tasks = flow.tasks<typeof images>({ startToCloseTimeout: '2m' });

    flow.setStep('render');
    const thumbnails = await Promise.all(urls.map((url) => tasks.renderThumbnail.with({ name: `thumbnail ${url}` })(url, size)));

    flow.setStep('contact sheet');
    return tasks.buildContactSheet(thumbnails);
  },
});
