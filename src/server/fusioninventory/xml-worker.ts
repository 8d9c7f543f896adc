/**
 * The worker thread that reads FusionInventory messages for xml-reader.ts: one message at
 * a time, its text in, the AgentRequest (or the error that refused it) out; 'ready' first.
 */
import { parentPort } from 'node:worker_threads';
import { TaskwardenError } from '../../core/errors.ts';
import { parseAgentRequest } from '../../modules/fusioninventory/xml.ts';
import type { XmlAnswer, XmlQuestion } from './xml-reader.ts';

parentPort?.on('message', ({ id, text }: XmlQuestion) => {
  let answer: XmlAnswer;
  try {
    answer = { id, request: parseAgentRequest(text) };
  } catch (err) {
    answer =
      err instanceof TaskwardenError
        ? { id, error: { code: err.code, message: err.message, details: err.details } }
        : { id, error: { code: 'internal', message: `reading the message failed: ${String(err)}` } };
  }
  parentPort?.postMessage(answer);
});
// Loaded: the reader counts a message's time from here.
parentPort?.postMessage('ready');
