// The XML of the agent's messages (fixtures captured from Debian's fusioninventory-agent
// 2.6 talking to a capture server), the replies it reads, the ids that travel in them and
// the bodies' compression.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import type { ValidationError } from '../../src/core/errors.ts';
import { XmlAttributes } from '../../src/core/fusioninventory-reply.ts';
import {
  deployUuidOf,
  parseDeployUuid,
  parseProcessNumber,
  processNumberOf,
} from '../../src/modules/fusioninventory/ids.ts';
import { emptyReply, prologFrequencyHours, prologReply } from '../../src/modules/fusioninventory/prolog.ts';
import { buildReply, parseAgentRequest } from '../../src/modules/fusioninventory/xml.ts';
import { decodeMessage, encodeReply } from '../../src/server/fusioninventory/body.ts';
import { fixture } from './fixtures.ts';

describe('agent requests', () => {
  test('a PROLOG names the device and the query, with no content', () => {
    assert.deepEqual(parseAgentRequest(fixture('prolog.xml')), {
      deviceId: 'vm-2026-11-24-12-24-22',
      query: 'PROLOG',
      content: {},
    });
  });

  test('an INVENTORY keeps its content as elements, repeated ones as lists, every value as text', () => {
    const request = parseAgentRequest(fixture('inventory.xml'));
    assert.equal(request.query, 'INVENTORY');
    assert.ok(Array.isArray(request.content['NETWORKS']));
    assert.deepEqual(
      request.content['HARDWARE'] && (request.content['HARDWARE'] as Record<string, unknown>)['MEMORY'],
      '24105',
    );
  });

  test('malformed XML, a document type, no REQUEST or no DEVICEID are refused naming what is wrong', () => {
    const refused = (text: string, field: string) =>
      assert.throws(
        () => parseAgentRequest(text),
        (err: ValidationError) => err.message.startsWith(field),
      );
    refused('<REQUEST><DEVICEID>pc</REQUEST>', 'body');
    refused(
      '<!DOCTYPE r [<!ENTITY a "aaaa">]><REQUEST><DEVICEID>&a;</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>',
      'body',
    );
    refused(
      '<REQUEST><DEVICEID>pc</DEVICEID><QUERY>X</QUERY><CONTENT><__proto__><a>1</a></__proto__></CONTENT></REQUEST>',
      'body',
    );
    refused('<REPLY><DEVICEID>pc</DEVICEID></REPLY>', 'REQUEST');
    refused('<REQUEST><QUERY>PROLOG</QUERY></REQUEST>', 'REQUEST.DEVICEID');
    refused('<REQUEST><DEVICEID>a b</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>', 'REQUEST.DEVICEID');
    refused('<REQUEST><DEVICEID>pc</DEVICEID></REQUEST>', 'REQUEST.QUERY');
  });
});

describe('replies', () => {
  test('the PROLOG reply: RESPONSE, PROLOG_FREQ in hours, one OPTION per job with attributes as GLPI sends them', () => {
    const option = { NAME: 'WAKEONLAN', PARAM: [new XmlAttributes({ MAC: 'aa:bb:cc:dd:ee:ff' })] };
    assert.equal(
      prologReply({ frequencyHours: 2, sendInventory: true, options: [option] }),
      '<?xml version="1.0" encoding="UTF-8" ?>\n<REPLY><RESPONSE>SEND</RESPONSE><PROLOG_FREQ>2</PROLOG_FREQ>' +
        '<OPTION><NAME>WAKEONLAN</NAME><PARAM MAC="aa:bb:cc:dd:ee:ff"/></OPTION></REPLY>\n',
    );
    assert.match(
      prologReply({ frequencyHours: 1, sendInventory: false, options: [] }),
      /<RESPONSE>NO_UPDATE<\/RESPONSE>/,
    );
  });

  test('an empty reply is <REPLY></REPLY>: the agent reads <REPLY/> as no reply', () => {
    assert.match(emptyReply(), /<REPLY><\/REPLY>/);
    assert.match(buildReply({}), /<REPLY><\/REPLY>/);
  });

  test('attribute values are escaped', () => {
    assert.match(buildReply({ X: new XmlAttributes({ V: 'a"<&' }) }), /<X V="a&quot;&lt;&amp;"\/>/);
  });

  test('PROLOG_FREQ is the contact period rounded up to whole hours, at least one', () => {
    assert.deepEqual([60, 3600, 3601, 86_400].map(prologFrequencyHours), [1, 1, 2, 24]);
  });
});

describe('ids in messages', () => {
  const uuid = fc
    .uint8Array({ minLength: 16, maxLength: 16 })
    .map((bytes) => Buffer.from(bytes).toString('hex'))
    .map((h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);

  test('a process number is a decimal Perl compares without warnings, and maps back to the attempt', () => {
    fc.assert(
      fc.property(uuid, fc.integer({ min: 1, max: 999 }), (jobstateId, attempt) => {
        const pid = processNumberOf({ jobstateId, attempt });
        assert.match(pid, /^\d+\.\d+$/);
        assert.deepEqual(parseProcessNumber(pid, 'PROCESSNUMBER'), { jobstateId, attempt });
      }),
    );
  });

  test('a deploy uuid maps back to the attempt', () => {
    fc.assert(
      fc.property(uuid, fc.integer({ min: 1, max: 999 }), (jobstateId, attempt) => {
        assert.deepEqual(parseDeployUuid(deployUuidOf({ jobstateId, attempt }), 'uuid'), { jobstateId, attempt });
      }),
    );
  });

  test('ids this server did not give are refused naming the field', () => {
    for (const pid of ['12', 'abc.1', `${2n ** 128n}.1`, '1.1234567']) {
      assert.throws(() => parseProcessNumber(pid, 'PROCESSNUMBER'), /^ValidationError: PROCESSNUMBER/);
    }
    for (const id of ['x.1', '01a20d91-8b9c-7175-b07c-84286102117c', '../../etc.1']) {
      assert.throws(() => parseDeployUuid(id, 'uuid'), /^ValidationError: uuid/);
    }
  });
});

describe('message bodies', () => {
  const text = fixture('prolog.xml');

  test('zlib, gzip and plain bodies are read by their first bytes, and replies go back the same way', async () => {
    const cases = [
      { body: deflateSync(text), compression: 'zlib', decode: inflateSync },
      { body: gzipSync(text), compression: 'gzip', decode: gunzipSync },
      { body: Buffer.from(text), compression: 'none', decode: (b: Buffer) => b },
    ] as const;
    for (const { body, compression, decode } of cases) {
      const decoded = await decodeMessage(body, 1024 * 1024);
      assert.deepEqual(decoded, { text, compression });
      const reply = encodeReply('<REPLY></REPLY>', compression);
      assert.equal(decode(reply.body).toString(), '<REPLY></REPLY>');
      assert.match(reply.contentType, compression === 'none' ? /xml/ : new RegExp(compression));
    }
  });

  test('a body inflating past the limit or corrupt is refused', async () => {
    const bomb = deflateSync(Buffer.alloc(10 * 1024 * 1024));
    await assert.rejects(decodeMessage(bomb, 1024 * 1024), { code: 'payload_too_large' });
    for (const corrupt of [deflateSync(text), gzipSync(text)]) {
      corrupt[12] = (corrupt[12] as number) ^ 0xff;
      await assert.rejects(decodeMessage(corrupt, 1024 * 1024), { code: 'invalid_input' });
    }
  });
});
