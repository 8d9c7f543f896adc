// Pure helpers of the web UI: params forms from JSON schemas, history diffs, CSV, zoned times.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCsv } from '../../web/src/lib/csv.ts';
import { formatInZone, formatSeconds, formatTime, whyWaiting } from '../../web/src/lib/format.ts';
import { diffLines, jsonLines, withContext } from '../../web/src/lib/line-diff.ts';
import { formFields, inputFromValue, valueFromInput, withParam } from '../../web/src/lib/schema-form.ts';

test('a params schema becomes typed fields; unknown shapes fall back to JSON', () => {
  const fields = formFields({
    type: 'object',
    required: ['command'],
    properties: {
      command: { type: 'string', description: 'catalog name' },
      count: { type: 'integer', minimum: 1, maximum: 9, default: 1 },
      ratio: { type: 'number' },
      force: { type: 'boolean' },
      action: { type: 'string', enum: ['install', 'remove'] },
      hosts: { type: 'array', items: { type: 'string' } },
      args: { type: 'object' },
    },
  });
  assert.deepEqual(
    fields?.map((f) => [f.name, f.kind, f.required]),
    [
      ['command', 'string', true],
      ['count', 'integer', false],
      ['ratio', 'number', false],
      ['force', 'boolean', false],
      ['action', 'enum', false],
      ['hosts', 'string-array', false],
      ['args', 'json', false],
    ],
  );
  assert.equal(formFields({ type: 'string' }), null);
  const [, count, , , , hosts] = fields ?? [];
  assert.ok(count && hosts);
  assert.equal(valueFromInput(count, '3'), 3);
  assert.equal(valueFromInput(count, ''), undefined);
  assert.deepEqual(valueFromInput(hosts, 'a\n\n b \n'), ['a', 'b']);
  assert.equal(inputFromValue(hosts, ['a', 'b']), 'a\nb');
  assert.deepEqual(withParam({ a: 1, b: 2 }, 'a', undefined), { b: 2 });
});

test('a history diff shows removed and added lines with a little context', () => {
  const lines = diffLines(jsonLines({ at: '09:00', days: ['mon'] }), jsonLines({ at: '10:00', days: ['mon'] }));
  assert.deepEqual(
    lines.filter((l) => l.op !== ' ').map((l) => `${l.op}${l.text.trim()}`),
    ['-"at": "09:00",', '+"at": "10:00",'],
  );
  assert.deepEqual(diffLines([], jsonLines('x')), [{ op: '+', text: '"x"' }]);
  const long = diffLines(['a', 'b', 'c', 'd', 'e', 'f', 'g'], ['a', 'b', 'c', 'd', 'e', 'f', 'G']);
  assert.deepEqual(
    withContext(long, 1).map((l) => (l ? `${l.op}${l.text}` : '…')),
    ['…', ' f', '-g', '+G'],
  );
});

test('CSV quotes what needs quoting', () => {
  assert.equal(
    toCsv(
      ['a', 'b'],
      [
        [1, 'x,y'],
        [null, 'say "hi"'],
      ],
    ),
    'a,b\r\n1,"x,y"\r\n,"say ""hi"""\r\n',
  );
});

test('zoned times show the offset, so a DST change is visible', () => {
  assert.equal(formatInZone('2027-03-09T08:00:00.000Z', 'Europe/Paris'), 'Tue 09 Mar 2027, 09:00 GMT+01:00');
  assert.equal(formatInZone('2027-04-13T07:00:00.000Z', 'Europe/Paris'), 'Tue 13 Apr 2027, 09:00 GMT+02:00');
  assert.equal(formatInZone('2027-04-13T07:00:00.000Z', 'UTC'), 'Tue 13 Apr 2027, 07:00 GMT+00:00');
  assert.equal(formatInZone('2027-04-13T07:00:00.000Z', 'Not/AZone'), 'Tue 13 Apr 2027, 07:00 GMT+00:00');
  assert.equal(formatSeconds(0.44), '0.4 s');
  assert.equal(formatSeconds(200), '3 min 20 s');
  assert.equal(formatSeconds(7500), '2 h 05 min');
});

test('why a job waits: the server\'s words, and "until HH:MM" (browser zone) while its dueAt is ahead', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  const due = '2026-12-01T19:00:00.000Z';
  const view = { status: 'waiting', reasonText: 'timeslot closed', dueAt: due };
  assert.equal(whyWaiting(view, now), `timeslot closed until ${formatTime(due)}`);
  assert.match(formatTime(due), /^\d{2}:\d{2}$/);
  assert.equal(whyWaiting({ ...view, dueAt: '2026-12-01T09:00:00.000Z' }, now), 'timeslot closed');
  assert.equal(whyWaiting({ ...view, status: 'prepared' }, now), 'timeslot closed');
  assert.equal(whyWaiting({ status: 'finished', reasonText: null, dueAt: null }, now), '');
});
