import { defineModule, summarizeOutcomes } from '../sdk/index.ts';
import { type NoopParams, noopParamsSchema } from './schema.ts';
import { executeNoop } from './server.ts';

/**
 * `noop` and `noop-serial`: modules that do nothing but what their params script (chunks,
 * failures, sleeps), for the engine's tests and the benchmarks. They differ only in
 * `parallelizable`, which the postponement tests need.
 *
 * onError returns the params with `retried: <failed attempt>` added, so a test can see that
 * the engine hands changed params to the retry (iTop's ChangeActionParamsOnError): the
 * successful attempt's result carries `retried`.
 */
function noopModule(name: string, parallelizable: boolean) {
  return defineModule<NoopParams>({
    name,
    title: parallelizable ? 'No-op' : 'No-op (serial)',
    icon: '∅',
    description: 'Does nothing, in scripted chunks, failures and sleeps: for tests and benchmarks.',
    runsOn: 'server',
    parallelizable,
    paramsSchema: noopParamsSchema,
    execute: executeNoop,
    onError: ({ params, attempt }) => ({ ...params, retried: attempt }),
    summarize: summarizeOutcomes,
  });
}

export const noop = noopModule('noop', true);
export const noopSerial = noopModule('noop-serial', false);

export default [noop, noopSerial];
