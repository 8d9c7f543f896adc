// What the agent reports, as Taskwarden's own records: an inventory (fixture captured from
// the real agent), network discovery messages, and wake-on-LAN orders.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { XmlNode } from '../../src/core/fusioninventory-message.ts';
import { compileSchema } from '../../src/core/json-schema.ts';
import { hostOfDeviceId } from '../../src/modules/fusioninventory/ids.ts';
import { buildReply, parseAgentRequest } from '../../src/modules/fusioninventory/xml.ts';
import { inventoryFromContent, prefixLength } from '../../src/modules/inventory/fusioninventory.ts';
import { inventorySchema } from '../../src/modules/inventory/schema.ts';
import { discoveryOption } from '../../src/modules/netdiscovery/fusioninventory.ts';
import { readDiscoveryMessage } from '../../src/modules/netdiscovery/fusioninventory-reports.ts';
import { wakeOrder } from '../../src/modules/wakeonlan/fusioninventory.ts';
import { fixture } from './fixtures.ts';

const checkInventory = compileSchema(inventorySchema, { useDefaults: false });
const MIB = 2 ** 20;

describe('inventory', () => {
  const request = parseAgentRequest(fixture('inventory.xml'));
  const inventory = inventoryFromContent(request.content, hostOfDeviceId(request.deviceId));

  test("the agent's inventory reads as Taskwarden's, and passes its schema", () => {
    checkInventory(inventory, 'inventory');
    assert.equal(inventory.hostname, 'vm');
    assert.deepEqual(inventory.os, {
      name: 'Debian GNU/Linux',
      version: '12.11',
      kernel: '6.18.44-fc-v782',
      arch: 'x86_64',
    });
    assert.deepEqual(inventory.cpu, { model: 'AMD EPYC', cores: 2 });
    assert.equal(inventory.memory.totalBytes, 24105 * MIB);
    assert.deepEqual(inventory.disks, [
      { mount: '/', fs: '/dev/vda', sizeBytes: 258019 * MIB, freeBytes: 80606 * MIB },
    ]);
  });

  test('one interface per name, with every address of it in CIDR form; loopback is internal', () => {
    assert.deepEqual(
      inventory.interfaces.find((nic) => nic.name === 'eth0'),
      {
        name: 'eth0',
        mac: '02:fc:00:00:00:01',
        addresses: ['192.0.2.2/24', 'fd00::2/64', 'fe80::fc:ff:fe00:1/64'],
        internal: false,
      },
    );
    const lo = inventory.interfaces.find((nic) => nic.name === 'lo');
    assert.deepEqual([lo?.mac, lo?.internal, lo?.addresses[0]], [null, true, '127.0.0.1/8']);
  });

  test('a sparse or Windows-shaped report still gives a valid inventory', () => {
    const sparse = inventoryFromContent(
      {
        HARDWARE: { PROCESSORN: '4', PROCESSORT: 'Xeon', OSNAME: 'Microsoft Windows 10 Pro' },
        DRIVES: [
          { LETTER: 'C:', TYPE: 'Local Disk', FILESYSTEM: 'NTFS', TOTAL: '1000', FREE: '10' },
          { TYPE: '/dev/shm', FILESYSTEM: 'tmpfs', TOTAL: '100' },
        ],
        NETWORKS: { DESCRIPTION: 'Ethernet', MACADDR: 'AA-BB-CC-DD-EE-FF', IPADDRESS: '10.0.0.2', IPMASK: 'bogus' },
      },
      hostOfDeviceId('desk-01-2024-01-02-03-04-05'),
    );
    checkInventory(sparse, 'inventory');
    assert.equal(sparse.hostname, 'desk-01');
    assert.deepEqual(sparse.cpu, { model: 'Xeon', cores: 4 });
    assert.equal(sparse.os.name, 'Microsoft Windows 10 Pro');
    assert.deepEqual(
      sparse.disks.map((d) => d.mount),
      ['C:'],
    );
    assert.deepEqual(sparse.interfaces, [
      { name: 'Ethernet', mac: 'aa:bb:cc:dd:ee:ff', addresses: ['10.0.0.2'], internal: false },
    ]);
  });

  test('masks to prefix lengths; anything else has none', () => {
    assert.deepEqual(
      ['255.255.255.0', '255.0.0.0', '0.0.0.0', 'ffff:ffff:ffff:ffff::', 'ffff::', '255.0.255.0', 'x'].map(
        prefixLength,
      ),
      [24, 8, 0, 64, 16, null, null],
    );
  });

  test('the host name in a DEVICEID is what precedes its date', () => {
    assert.equal(hostOfDeviceId('web-01.example-2026-11-24-12-24-22'), 'web-01.example');
    assert.equal(hostOfDeviceId('custom-id'), 'custom-id');
  });
});

describe('network discovery', () => {
  const params = { ranges: ['127.0.0.1', '10.0.0.0/30'], ports: [22], timeout: '2s', concurrency: 500 };

  test('a job becomes an OPTION NETDISCOVERY: a range per RANGEIP, threads capped, the PID to echo', () => {
    assert.match(
      buildReply({ OPTION: discoveryOption(params, '42.1') }),
      new RegExp(
        '<OPTION><NAME>NETDISCOVERY</NAME><PARAM PID="42.1" THREADS_DISCOVERY="64" TIMEOUT="2"/>' +
          '<RANGEIP ID="1" IPSTART="127.0.0.1" IPEND="127.0.0.1"/><RANGEIP ID="2" IPSTART="10.0.0.0" IPEND="10.0.0.3"/></OPTION>',
      ),
    );
  });

  test('the messages the agent sends: START, NBIP, one DEVICE each, END', () => {
    const read = (name: string) => readDiscoveryMessage(parseAgentRequest(fixture(name)).content);
    const pid = '123456789012345678901234567890.1';
    const none = { processNumber: pid, started: false, addresses: null, ended: false, devices: [] };
    assert.deepEqual(read('netdiscovery-start.xml'), { ...none, started: true });
    assert.deepEqual(read('netdiscovery-nbip.xml'), { ...none, addresses: 2 });
    assert.deepEqual(read('netdiscovery-end.xml'), { ...none, ended: true });
    // Found by ping, the DNS name is only the address again: no name.
    assert.deepEqual(read('netdiscovery-device.xml').devices, [
      { ip: '127.0.0.1', ports: [], hostname: null, mac: null },
    ]);
  });

  test("a device's name is what it says of itself before DNS; a bad address is refused", () => {
    const content: XmlNode = {
      PROCESSNUMBER: '1.1',
      DEVICE: [
        { IP: '10.0.0.5', DNSHOSTNAME: 'printer.lan', NETBIOSNAME: 'PRN', MAC: 'AA:BB:CC:DD:EE:01' },
        { IP: '10.0.0.6', DNSHOSTNAME: 'nas.lan' },
      ],
    };
    assert.deepEqual(readDiscoveryMessage(content).devices, [
      { ip: '10.0.0.5', ports: [], hostname: 'PRN', mac: 'aa:bb:cc:dd:ee:01' },
      { ip: '10.0.0.6', ports: [], hostname: 'nas.lan', mac: null },
    ]);
    assert.throws(
      () => readDiscoveryMessage({ PROCESSNUMBER: '1.1', DEVICE: { IP: '::1' } }),
      /CONTENT\.DEVICE\[0\]\.IP/,
    );
    assert.throws(() => readDiscoveryMessage({}), /CONTENT\.PROCESSNUMBER/);
  });
});

describe('wake-on-LAN', () => {
  const params = { broadcast: '255.255.255.255', port: 9 };
  const payload = {
    targets: [
      { name: 'pc-1', macs: ['AA-BB-CC-DD-EE-01', 'aabbccddee02'] },
      { name: 'pc-2', macs: [] },
    ],
  };

  test('a relay job becomes an OPTION WAKEONLAN, one PARAM MAC per address in the form the agent reads', () => {
    const order = wakeOrder(params, payload);
    assert.ok(order.handed);
    assert.match(
      buildReply({ OPTION: order.option }),
      /<OPTION><NAME>WAKEONLAN<\/NAME><PARAM MAC="aa:bb:cc:dd:ee:01"\/><PARAM MAC="aa:bb:cc:dd:ee:02"\/><\/OPTION>/,
    );
    assert.deepEqual(order.result, { woken: 1, withoutMac: 1, macs: ['aa:bb:cc:dd:ee:01', 'aa:bb:cc:dd:ee:02'] });
    assert.deepEqual(order.lines[0], 'pc-2: no MAC address known');
  });

  test('another destination than the agent can send to, or no MAC at all, is not handed over', () => {
    const elsewhere = wakeOrder({ broadcast: '192.168.1.255', port: 9 }, payload);
    assert.ok(!elsewhere.handed);
    assert.match(elsewhere.error, /255\.255\.255\.255:9 only/);
    const nothing = wakeOrder(params, { targets: [{ name: 'pc-2', macs: [] }] });
    assert.ok(!nothing.handed);
    assert.equal(nothing.error, 'no MAC address to wake');
  });
});
