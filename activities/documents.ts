import { progress } from '../src/task';

/** Tasks of the `documentApproval` example flow. */

export async function draftDocument(title: string): Promise<{ title: string; words: number }> {
  progress(`drafting ${title}`);
  return { title, words: 120 + title.length };
}

export async function publishDocument(title: string, approver: string): Promise<string> {
  return `${title} published, approved by ${approver}`;
}
