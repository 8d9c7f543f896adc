// A FusionInventory agent's zone from its inventory (issue 15): OPERATINGSYSTEM/TIMEZONE/NAME
// of a real agent's message, IANA names only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentRequest } from '../../src/modules/fusioninventory/xml.ts';
import { timezoneOfInventory } from '../../src/server/fusioninventory/timezone.ts';
import { fixture } from './fixtures.ts';

const withZone = (name: string) =>
  parseAgentRequest(fixture('inventory.xml').replace('<NAME>UTC</NAME>', `<NAME>${name}</NAME>`)).content;

test("the inventory's OPERATINGSYSTEM/TIMEZONE/NAME is the agent's zone when it is an IANA name", () => {
  assert.equal(timezoneOfInventory(parseAgentRequest(fixture('inventory.xml')).content), 'UTC');
  assert.equal(timezoneOfInventory(withZone('Europe/Paris')), 'Europe/Paris');
  assert.equal(timezoneOfInventory(withZone('Romance Standard Time')), null, "a Windows zone name is no schedule's");
  assert.equal(timezoneOfInventory({}), null);
});
