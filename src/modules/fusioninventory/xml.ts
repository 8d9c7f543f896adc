/**
 * The XML of the FusionInventory agent's OCS-style messages (PROLOG, INVENTORY,
 * NETDISCOVERY): requests are `<REQUEST><DEVICEID/><QUERY/><CONTENT/></REQUEST>` written by
 * XML::TreePP from a Perl hash (elements only, a repeated element = a list), replies are
 * `<REPLY>…</REPLY>` read back the same way, where an attribute and a child element are the
 * same thing (attr_prefix ''). Pure: text in, values out.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { TaskwardenError, ValidationError } from '../../core/errors.ts';
import { isNode, textOf, type XmlNode } from '../../core/fusioninventory-message.ts';
import { type ReplyNode, type ReplyValue, XmlAttributes } from '../../core/fusioninventory-reply.ts';

export interface AgentRequest {
  deviceId: string;
  /** PROLOG, INVENTORY, NETDISCOVERY… upper-cased. */
  query: string;
  /** The CONTENT element; empty for a PROLOG. */
  content: XmlNode;
}

/**
 * Bounds on what one message may build. An inventory nests 4 deep and holds a few elements
 * per 100 bytes (an 8 MiB message padded with software entries: ~350,000); a flood of tiny
 * elements would build millions of objects, each copied back from the worker that reads
 * it (server/fusioninventory/xml-reader.ts) and walked by the code that takes it.
 */
export const MAX_ELEMENTS = 500_000;
const MAX_DEPTH = 32;

/** Elements the parse under way has built (parsing is synchronous: one at a time). */
let elements = 0;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  // Every value stays text: "0123" is a serial number, not 123.
  parseTagValue: false,
  trimValues: true,
  maxNestedTags: MAX_DEPTH,
  updateTag: (name) => {
    if (++elements > MAX_ELEMENTS) {
      throw new TaskwardenError('payload_too_large', `body: the message has more than ${MAX_ELEMENTS} elements`);
    }
    return name;
  },
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', suppressEmptyNode: true });

/** What a DEVICEID (REST: machineid) may be: the agent makes "<hostname>-<date>", visible ASCII. */
export const DEVICE_ID = /^[\x21-\x7e]{1,255}$/;

/**
 * Reads a request. Refused (naming the field): malformed XML, a document type declaration
 * (the agent never sends one, and its entities are the classic expansion bomb), no REQUEST,
 * a missing or odd DEVICEID or QUERY.
 */
export function parseAgentRequest(text: string): AgentRequest {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new ValidationError('body', 'must not declare a document type');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ValidationError('body', `is not well-formed XML: ${valid.err.msg}`);
  const root = parseXml(text);
  const request = root['REQUEST'];
  if (!isNode(request)) throw new ValidationError('REQUEST', 'is missing: not a FusionInventory agent message');
  const deviceId = textOf(request['DEVICEID']);
  if (!DEVICE_ID.test(deviceId)) throw new ValidationError('REQUEST.DEVICEID', 'must be 1 to 255 visible characters');
  const query = textOf(request['QUERY']).toUpperCase();
  if (!/^[A-Z_]{1,40}$/.test(query)) throw new ValidationError('REQUEST.QUERY', 'is missing');
  const content = request['CONTENT'];
  return { deviceId, query, content: isNode(content) ? content : {} };
}

/** The parser refuses names like __proto__ (prototype pollution) by throwing: that is bad input too. */
function parseXml(text: string): XmlNode {
  elements = 0;
  try {
    return parser.parse(text) as XmlNode;
  } catch (err) {
    if (err instanceof TaskwardenError) throw err;
    throw new ValidationError('body', `is refused: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" ?>';

/** The agent reads a self-closed `<REPLY/>` as no reply at all (XML::TreePP makes it undef): never one. */
export function buildReply(reply: ReplyNode): string {
  const inner = builder.build(toBuilder(reply));
  return `${XML_DECLARATION}\n<REPLY>${inner}</REPLY>\n`;
}

function toBuilder(value: ReplyValue): unknown {
  if (Array.isArray(value)) return value.map(toBuilder);
  if (value instanceof XmlAttributes) {
    return Object.fromEntries(Object.entries(value.values).map(([key, v]) => [`@${key}`, String(v)]));
  }
  if (typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, toBuilder(v)]));
}
