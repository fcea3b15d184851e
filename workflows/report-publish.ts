import { z } from 'zod';
import { defineFlow } from '../src/flow';
import type * as reports from '../activities/reports';

/**
 * Four steps; the third fails until its outbox folder exists. Create the folder and
 * `taskflow flow retry` runs the flow again from that task: the first two are not run again.
 */
export const reportPublish = defineFlow({
  name: 'reportPublish',
  input: z.object({ report: z.string().regex(/^[\w.-]+$/), outbox: z.string().min(1).default('outbox') }),
  goal: ({ report }) => `Publish report ${report}`,
  lookupKey: ({ report }) => `report:${report}`,
  async run(flow, { report, outbox }) {
    const { gatherFigures, renderReport, publishReport, notifyReaders } = flow.tasks<typeof reports>();
    flow.setStep('gather');
    const figures = await gatherFigures(report);
    flow.setStep('render');
    const document = await renderReport(report, figures);
    flow.setStep('publish');
    const location = await publishReport(report, document, outbox);
    flow.setStep('notify');
    await notifyReaders(report, location);
    return { location };
  },
});
