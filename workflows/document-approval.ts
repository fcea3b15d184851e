import { z } from 'zod';
import { defineFlow } from '../src/flow';
import type * as documents from '../activities/documents';

const Approval = z.object({ approved: z.boolean(), approver: z.string().min(1), note: z.string().optional() });

/**
 * Sequential steps with a human in the loop: draft, wait for an approval (`taskflow flow resume
 * <id> --data '{"approved":true,"approver":"Grace"}'`), then publish or stop.
 */
export const documentApproval = defineFlow({
  name: 'documentApproval',
  input: z.object({ documentId: z.string().min(1), title: z.string().min(1) }),
  state: z.object({ words: z.number().int().nullable(), approver: z.string().nullable() }),
  initialState: () => ({ words: null, approver: null }),
  goal: ({ title }) => `Draft, approve and publish "${title}"`,
  lookupKey: ({ documentId }) => documentId,
  async run(flow, { title }) {
    const tasks = flow.tasks<typeof documents>({ startToCloseTimeout: '1m' });

    flow.setStep('draft');
    const draft = await tasks.draftDocument(title);
    flow.patchState({ words: draft.words });

    flow.setStep('approval');
    const approval = await flow.waitFor('approval', Approval, {
      timeout: '7d',
      description: 'Send {"approved": true, "approver": "<your name>"} to publish, approved false to reject',
    });
    flow.patchState({ approver: approval.approver });
    if (!approval.approved) return { published: false, reason: approval.note ?? `rejected by ${approval.approver}` };

    flow.setStep('publish');
    const receipt = await tasks.publishDocument(title, approval.approver);
    return { published: true, receipt };
  },
});
