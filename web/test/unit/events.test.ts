// Events from transaction logs, decoded with the emitting program's IDL and generated codecs;
// the bytes are Anchor's `Event::data()` of the Rust event structs (fixture).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeEvent, parseEvents } from '../../src/client';
import { bytes, fixture } from './helpers';

/** bigint and Address fields as the fixture writes them (decimal strings). */
const plain = (data: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));

describe('parseEvents', () => {
  it('decodes every event in the logs with the program that emitted it', () => {
    const events = parseEvents(fixture.logs);
    assert.deepEqual(
      events.map((e) => ({ program: e.program, name: e.name, data: plain(e.data) })),
      fixture.events,
    );
  });

  it('ignores data written by other programs and lines that are not events', () => {
    const foreign = fixture.logs.map((l) => l.replaceAll(fixture.programs.leveragedToken, 'Other1111111111111111111111111111111111111'));
    assert.deepEqual(parseEvents(foreign).map((e) => e.name), ['Swapped']);
    assert.deepEqual(parseEvents(['Program log: hello', 'Program data: AAAA']), []);
  });

  it('returns undefined for bytes with an unknown discriminator', () => {
    assert.equal(decodeEvent('amm', bytes('AAAAAAAAAAAAAAAA')), undefined);
  });
});
