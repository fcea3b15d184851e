import { FlowCancelCommand } from './flow/cancel';
import { FlowFailCommand } from './flow/fail';
import { FlowFinishCommand } from './flow/finish';
import { FlowListCommand } from './flow/list';
import { FlowReportCommand } from './flow/report';
import { FlowResumeCommand } from './flow/resume';
import { FlowRetryCommand } from './flow/retry';
import { FlowShowCommand } from './flow/show';
import { FlowStartCommand } from './flow/start';
import { TasksListCommand } from './tasks/list';
import { TasksShowCommand } from './tasks/show';
import { UiCommand } from './ui';

/** The flow, task and UI commands (each also under `taskflow tasks flow …`); src/cli/main.ts registers them. */
export const flowCommands = [
  FlowListCommand,
  FlowShowCommand,
  FlowStartCommand,
  FlowResumeCommand,
  FlowReportCommand,
  FlowFinishCommand,
  FlowFailCommand,
  FlowCancelCommand,
  FlowRetryCommand,
  TasksListCommand,
  TasksShowCommand,
  UiCommand,
];
