/**
 * The shape of a FusionInventory reply's elements (GLPI's XML protocol), as data: a module's
 * FusionInventory hook describes an OPTION with these, the server writes them as XML.
 */

/** An element with attributes only (`<PARAM PID="7" TIMEOUT="1"/>`), the way GLPI sends PARAM and RANGEIP. */
export class XmlAttributes {
  constructor(readonly values: Readonly<Record<string, string | number>>) {}
}

/** An element of a reply: text, attributes, children, or a list of them. */
export type ReplyValue = string | number | XmlAttributes | ReplyNode | ReplyValue[];
export interface ReplyNode {
  [name: string]: ReplyValue;
}
