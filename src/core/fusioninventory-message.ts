/**
 * A FusionInventory agent's message as data (GLPI's XML protocol, read by
 * src/modules/fusioninventory/xml.ts): a module's FusionInventory hook reads the CONTENT of
 * the messages it is given with these.
 */

/** A parsed element: text, or child elements by name (a repeated child is a list). */
export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

export function isNode(value: XmlValue | undefined): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An element that may appear once or many times, always as a list. */
export function listOf(value: XmlValue | undefined): XmlValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The element's nodes, whether it appeared once or many times. */
export function nodesOf(value: XmlValue | undefined): XmlNode[] {
  return listOf(value).filter(isNode);
}

/** The element's text ('' when missing or not text; the first when repeated). */
export function textOf(value: XmlValue | undefined): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}
