// Notification rules and messages (core/notify.ts) and channel input (core/channels.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseChannelChange, parseChannelInput } from '../../src/core/channels.ts';
import { ValidationError } from '../../src/core/errors.ts';
import {
  channelsToNotify,
  composeMessage,
  digestSummary,
  parseNotifyRules,
  type RunEvent,
  runEndKind,
} from '../../src/core/notify.ts';

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  throw new Error('no ValidationError');
};

describe('notification rules', () => {
  test('are parsed with defaults and duplicates dropped; errors name the field', () => {
    assert.deepEqual(parseNotifyRules([{ on: ['error', 'error', 'halted'], channels: ['ops', 'ops'] }], 'notify'), [
      { on: ['error', 'halted'], channels: ['ops'], when: 'always' },
    ]);
    assert.equal(
      fieldOf(() => parseNotifyRules({}, 'notify')),
      'notify',
    );
    assert.equal(
      fieldOf(() => parseNotifyRules([{ channels: ['x'] }], 'notify')),
      'notify[0].on',
    );
    assert.equal(
      fieldOf(() => parseNotifyRules([{ on: [], channels: ['x'] }], 'notify')),
      'notify[0].on',
    );
    assert.equal(
      fieldOf(() => parseNotifyRules([{ on: ['error'], channels: ['bad name!'] }], 'notify')),
      'notify[0].channels[0]',
    );
    assert.equal(
      fieldOf(() => parseNotifyRules([{ on: ['error'], channels: ['x'], when: 'often' }], 'notify')),
      'notify[0].when',
    );
    assert.equal(
      fieldOf(() => parseNotifyRules([{ on: ['error'], channels: ['x'], extra: 1 }], 'notify')),
      'notify[0].extra',
    );
  });

  test('a run end is missed, finished, halted, timeout or error; cancelled and skipped runs are not told', () => {
    assert.equal(runEndKind({ status: 'finished', statusReason: null }, []), 'finished');
    assert.equal(runEndKind({ status: 'missed', statusReason: 'misfire' }, []), 'missed');
    assert.equal(runEndKind({ status: 'error', statusReason: 'rollout_halted' }, ['timeout']), 'halted');
    assert.equal(runEndKind({ status: 'error', statusReason: null }, ['module_failed', 'timeout']), 'timeout');
    assert.equal(runEndKind({ status: 'error', statusReason: null }, ['module_failed']), 'error');
    assert.equal(runEndKind({ status: 'cancelled', statusReason: null }, []), null);
    assert.equal(runEndKind({ status: 'skipped', statusReason: null }, []), null);
  });

  test('`error` covers every failed end; `changed` rules only speak on a change; each channel once', () => {
    const rules = parseNotifyRules(
      [
        { on: ['error'], channels: ['ops', 'pager'] },
        { on: ['finished', 'error'], channels: ['ops', 'team'], when: 'changed' },
        { on: ['missed'], channels: ['audit'] },
      ],
      'notify',
    );
    assert.deepEqual(channelsToNotify(rules, 'timeout', false), ['ops', 'pager']);
    assert.deepEqual(channelsToNotify(rules, 'halted', true), ['ops', 'pager', 'team']);
    assert.deepEqual(channelsToNotify(rules, 'finished', false), []);
    assert.deepEqual(channelsToNotify(rules, 'finished', true), ['ops', 'team']);
    assert.deepEqual(channelsToNotify(rules, 'missed', false), ['audit']);
  });
});

describe('messages', () => {
  const event = (n: number, kind: 'error' | 'finished' = 'error'): RunEvent => ({
    event: `run.${kind}`,
    summary: `t${n}`,
    task: { id: `t${n}`, name: `t${n}` },
    run: {
      id: `r${n}`,
      status: kind,
      reason: 'manual',
      statusReason: null,
      counts: {},
      completion: 100,
      fireAt: '2026-12-01T00:00:00.000Z',
      startedAt: null,
      finishedAt: null,
    },
    line: '',
    failed: [],
    failedTotal: 0,
  });

  test('one event is sent as it is; several as a digest that counts them all and carries 100', () => {
    assert.deepEqual(composeMessage([event(1)], 60_000), event(1));
    const many = Array.from({ length: 120 }, (_, i) => event(i, i < 110 ? 'error' : 'finished'));
    const digest = composeMessage(many, 60_000);
    assert.equal(digest.event, 'digest');
    if (digest.event !== 'digest') return;
    assert.equal(digest.count, 120);
    assert.equal(digest.events.length, 100);
    assert.equal(digest.omitted, 20);
    assert.deepEqual(digest.counts, { 'run.error': 110, 'run.finished': 10 });
    assert.equal(digest.summary, '120 runs ended in the last minute: 110 in error, 10 finished');
  });

  test('digest summaries read as sentences', () => {
    assert.equal(digestSummary(Array(12).fill('error'), 60_000), '12 runs ended in error in the last minute');
    assert.equal(digestSummary(['missed', 'missed'], 300_000), '2 runs were missed in the last 5 minutes');
    assert.equal(
      digestSummary(['timeout', 'halted', 'timeout'], 2_000),
      '3 runs ended in the last 2 seconds: 1 halted, 2 timed out',
    );
  });
});

describe('channel input', () => {
  test('a webhook needs a url (http or https, no credentials); an email channel addresses', () => {
    assert.deepEqual(
      parseChannelInput({ name: 'ops-hook', kind: 'webhook', url: 'https://h.example/x#frag', secret: 's' }),
      {
        name: 'ops-hook',
        kind: 'webhook',
        url: 'https://h.example/x',
        to: [],
        secret: 's',
      },
    );
    assert.deepEqual(
      parseChannelInput({ name: 'mail', kind: 'email', to: ['ops@example.org', 'ops@example.org'] }).to,
      ['ops@example.org'],
    );
    for (const [body, field] of [
      [{ name: 'x', kind: 'webhook' }, 'url'],
      [{ name: 'x', kind: 'webhook', url: 'file:///etc/passwd' }, 'url'],
      [{ name: 'x', kind: 'webhook', url: 'https://u:p@h.example/' }, 'url'],
      [{ name: 'x', kind: 'webhook', url: 'https://h.example/', to: ['a@b.c'] }, 'to'],
      [{ name: 'x', kind: 'email', to: [] }, 'to'],
      [{ name: 'x', kind: 'email', to: ['ops@example.org\r\nBcc: all@example.org'] }, 'to[0]'],
      [{ name: 'x', kind: 'email', to: ['a, b@example.org'] }, 'to[0]'],
      [{ name: 'x', kind: 'email', to: ['a@b.c'], url: 'https://h/' }, 'url'],
      [{ name: 'x y', kind: 'email', to: ['a@b.c'] }, 'name'],
      [{ name: 'x', kind: 'sms' }, 'kind'],
      [{ name: 'x', kind: 'webhook', url: 'https://h/', secret: 'a\u001bb' }, 'secret'],
    ] as const) {
      assert.equal(
        fieldOf(() => parseChannelInput(body)),
        field,
        JSON.stringify(body),
      );
    }
  });

  test("a change keeps the channel's kind: a webhook takes url and secret, an email channel `to`", () => {
    assert.deepEqual(parseChannelChange({ secret: null }, 'webhook'), { secret: null });
    assert.equal(
      fieldOf(() => parseChannelChange({ to: ['a@b.c'] }, 'webhook')),
      'to',
    );
    assert.equal(
      fieldOf(() => parseChannelChange({ name: 'other' }, 'email')),
      'name',
    );
  });
});
