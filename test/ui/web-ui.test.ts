import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { parseConfig } from '../../src/config';
import { registerSearchAttributes, startDevServer, type DevServerHandle } from '../../src/server';
import { loadActivities } from '../../src/worker';
import { freePorts } from '../global-setup';
import { eventually, flowTestEnv, type FlowTestEnv } from '../helpers/flows';

/**
 * The Temporal Web UI shows a flow as `taskflow flow show` does: the list filters on TaskFlowStatus,
 * and a flow's page has its goal, details, current details and the flowRecord query. Runs Debian's
 * chromium against a dev server of its own (the shared test server is headless).
 */

const CHROMIUM = '/usr/bin/chromium';
const NAMESPACE = 'default';
const DOCS = path.resolve(__dirname, '../../docs');
const VIEWPORT = { width: 1200, height: 800 };
/** A worker's stack frame, as a failure's stack trace would show it. */
const STACK_FRAME = /\bat \S.*\.(js|ts):\d+/;
/** How long the eventually consistent list may take to show a change. */
const VISIBILITY_DEADLINE_MS = 20_000;

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.log(`Skipping the Web UI test: ${CHROMIUM} is missing (install Debian's chromium package).`);

(haveChromium ? describe : describe.skip)('the Temporal Web UI', () => {
  let server: DevServerHandle | undefined;
  let env: FlowTestEnv | undefined;
  let profileDir: string | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let ui: string;
  let waitingId: string;
  let mirroredId: string;
  let failedManagedId: string;
  let failedMirroredId: string;

  beforeAll(async () => {
    const cliPath = process.env.TEMPORAL_CLI;
    if (!cliPath) throw new Error('TEMPORAL_CLI is not set; run through jest (its global setup provides it).');
    const [port, uiPort] = await freePorts(2);
    const base = parseConfig('');
    server = await startDevServer({
      cliPath,
      projectRoot: process.cwd(),
      config: { connection: { namespace: NAMESPACE }, devServer: { ...base.devServer, port: port!, uiPort: uiPort!, headless: false, dbFile: null } },
    });
    ui = server.uiUrl!;
    const connection = await Connection.connect({ address: server.address });
    try {
      await registerSearchAttributes(connection, NAMESPACE);
    } finally {
      await connection.close();
    }
    // The server is this file's own, so the project's default task queue is free (and reads well in the screenshots).
    env = await flowTestEnv({ connection: { ...base.connection, address: server.address, namespace: NAMESPACE }, taskQueue: base.taskQueue });
    // The project's tasks, but a draft titled "Doomed" fails, so a managed flow fails as flows do.
    const activities = loadActivities();
    await env.startWorker({
      ...activities,
      draftDocument: async (title: string) => {
        if (title === 'Doomed') throw ApplicationFailure.nonRetryable('the printer is out of paper', 'PrinterError');
        return activities.draftDocument!(title);
      },
    });

    const waiting = await env.client.start('documentApproval', { documentId: 'doc-ui', title: 'Quarterly report' });
    waitingId = waiting.flowId;
    mirroredId = (await env.client.report(`ci-build-${waiting.flowId.slice(-8)}`, { taskId: 't1', status: 'running', kind: 'ci' }, { create: {} })).flow.flowId;
    failedManagedId = (await env.client.start('documentApproval', { documentId: 'doc-doomed', title: 'Doomed' })).flowId;
    const failedReport = { taskId: 'e2e', status: 'failed', kind: 'ci', error: 'exit code 2' } as const;
    failedMirroredId = (await env.client.report(`ci-failed-${waiting.flowId.slice(-8)}`, failedReport, { create: {} })).flow.flowId;
    await eventually(() => env!.client.snapshot(waitingId), (s) => s.flow.status === 'waiting');
    for (const id of [failedManagedId, failedMirroredId]) await eventually(() => env!.client.snapshot(id), (s) => s.flow.status === 'failed');
    // Both are listed before the browser looks, so "the mirrored flow is not in the waiting list" means something.
    await eventually(() => env!.client.list({}), (l) => l.flows.some((f) => f.flowId === waitingId && f.status === 'waiting') && l.flows.some((f) => f.flowId === mirroredId), VISIBILITY_DEADLINE_MS);

    await eventually(() => fetch(ui).then((r) => r.ok, () => false), (ok) => ok);
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: VIEWPORT,
      timezoneId: 'UTC',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    await env?.teardown();
    await server?.stop();
  }, 30_000);

  test('lists only the waiting flow under TaskFlowStatus="waiting", and all flows under TaskFlowSyncMode IS NOT NULL', async () => {
    const allFlows = await listedIds('TaskFlowSyncMode IS NOT NULL', (ids) => ids.includes(waitingId) && ids.includes(mirroredId));
    expect(allFlows).toEqual(expect.arrayContaining([waitingId, mirroredId]));

    const waitingFlows = await listedIds('TaskFlowStatus="waiting"', (ids) => ids.includes(waitingId));
    expect(waitingFlows).toEqual([waitingId]);
    await expect(page.getByRole('button', { name: /TaskFlowStatus\s*=\s*"waiting"/ }).isVisible()).resolves.toBe(true);
    await screenshot('web-ui-list.png');
  });

  test("a waiting flow's page shows its goal, details and current details, and its flowRecord query answers with the revision show reports", async () => {
    await page.goto(listUrl('TaskFlowStatus="waiting"'));
    await page.getByRole('link', { name: waitingId, exact: true }).first().click();
    await page.getByRole('tab', { name: 'User Metadata' }).click();

    const summary = page.frameLocator('#user-metadata-summary');
    await summary.getByText('Draft, approve and publish').waitFor();
    const details = page.frameLocator('#user-metadata-details');
    await details.getByText('managed flow').waitFor();
    await details.getByText('doc-ui', { exact: true }).waitFor();
    const current = page.frameLocator('#user-metadata-current-details');
    await current.getByText('Waiting for: approval').waitFor();
    await current.getByText('taskflow flow resume').waitFor();
    const currentText = (await current.locator('body').innerText()).trim();
    expect(currentText).toMatch(/^waiting · revision \d+ · managed flow/);
    // The hint and the command are code, with the quotes typed: what is copied is valid JSON and a valid command.
    expect(currentText).not.toMatch(/[\u2018\u2019\u201c\u201d]/);
    const codes = await current.locator('code').allInnerTexts();
    expect(codes).toContain('{"approved": true, "approver": "<your name>"}');
    const command = codes.find((c) => c.startsWith('taskflow flow resume'));
    expect(command).toBe(`taskflow flow resume ${waitingId} --data '{"approved": true, "approver": "<your name>"}'`);
    expect(JSON.parse(/--data '(.*)'$/.exec(command!)![1]!)).toEqual({ approved: true, approver: '<your name>' });
    // Flow id at the top, so the three metadata panels fit in the picture.
    await page.getByRole('heading', { name: waitingId }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await screenshot('web-ui.png');

    await page.getByRole('tab', { name: 'Queries' }).click();
    await page.getByTestId('query-select-button').click();
    const option = page.getByRole('option', { name: /^flowRecord/ });
    await expect(option.innerText()).resolves.toContain('The flow record');
    await option.click();
    await page.getByRole('button', { name: 'Run Query' }).click();
    const answer = await eventually(
      () => page.locator('main').innerText(),
      (text) => text.includes(`"flowId": "${waitingId}"`) && /"revision": \d+/.test(text),
    );
    const { flow } = await env!.client.show(waitingId);
    expect(Number(/"revision": (\d+)/.exec(answer)![1])).toBe(flow.revision);
    expect(answer).toContain('"status": "waiting"');

    await page.getByRole('tab', { name: /Event History/ }).click();
    // The activity's summary says what the task does, not its type a second time.
    await eventually(() => page.locator('main').innerText(), (text) => /Activity Task Scheduled[\s\S]*?Summary\s+Draft document "Quarterly report"/.test(text));
  });

  test("a mirrored flow's page, reached by the flow id alone as flow show links it, shows its current details", async () => {
    await page.goto(`${ui}/namespaces/${NAMESPACE}/workflows/${encodeURIComponent(mirroredId)}`);
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await page.frameLocator('#user-metadata-summary').getByText('ci', { exact: true }).waitFor();
    await page.frameLocator('#user-metadata-details').getByText('mirrored flow').first().waitFor();
    const current = page.frameLocator('#user-metadata-current-details');
    await current.getByText('t1 · ci · running').waitFor();
    expect((await current.locator('body').innerText()).trim()).toMatch(/^running · revision 1 · mirrored flow/);
  });

  test.each([
    ['managed', () => failedManagedId, 'Failed task: draftDocument (draftDocument-1) · failed — the printer is out of paper', 'the printer is out of paper'],
    ['mirrored', () => failedMirroredId, 'Failed task: e2e · ci · failed — exit code 2', 'Task e2e failed: exit code 2'],
  ])("a failed %s flow's current details name the failing task, and its failure carries no stack trace", async (_mode, id, line, message) => {
    const flowId = id();
    await page.goto(`${ui}/namespaces/${NAMESPACE}/workflows/${encodeURIComponent(flowId)}`);
    const failure = await eventually(() => page.locator('main').innerText(), (text) => text.includes(message));
    expect(failure).not.toMatch(STACK_FRAME);
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    const current = page.frameLocator('#user-metadata-current-details');
    await current.getByText(line).waitFor();
    expect((await current.locator('body').innerText()).trim()).toMatch(/^failed · revision \d+/);

    // What the UI shows is what history holds: the failure's message, type and no stack trace.
    const history = await env!.client.client.workflow.getHandle(flowId).fetchHistory();
    const failed = history.events!.at(-1)!.workflowExecutionFailedEventAttributes!.failure!;
    expect(failed).toMatchObject({ message, applicationFailureInfo: { type: 'flow_failed', nonRetryable: true } });
    expect(failed.stackTrace ?? '').toBe('');
  });

  function listUrl(query: string): string {
    return `${ui}/namespaces/${NAMESPACE}/workflows?query=${encodeURIComponent(query)}`;
  }

  /** The workflow ids the UI's list shows for `query`, reloading until `ok` holds: visibility lags. */
  async function listedIds(query: string, ok: (ids: string[]) => boolean): Promise<string[]> {
    const rows = page.locator('tr[data-testid="workflows-summary-configurable-table-row"]');
    const deadline = Date.now() + VISIBILITY_DEADLINE_MS;
    for (;;) {
      await page.goto(listUrl(query));
      await rows.first().waitFor({ timeout: 5_000 }).catch(() => undefined);
      const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('a')?.textContent?.trim() ?? ''));
      if (ok(ids) || Date.now() > deadline) return ids;
    }
  }

  /** Saves what the page shows into docs/ when the file is missing or UPDATE_SCREENSHOT=1. */
  async function screenshot(name: string): Promise<void> {
    const file = path.join(DOCS, name);
    if (process.env.UPDATE_SCREENSHOT === '1' || !fs.existsSync(file)) await page.screenshot({ path: file });
  }
});
