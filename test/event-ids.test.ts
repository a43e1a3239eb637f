import { describe, expect, it } from 'vitest';
import { eventIdOf, eventIdOfBytes, prepareBytes, prepareEvent } from '../src/ingest/ingest';
import { corpusFiles, corpusText } from './support/events';

const utf8 = (text: string) => new TextEncoder().encode(text);
const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

// The single-event endpoint hashes the bytes it received, every other path the text: both must name an
// event the same way, or the same event sent twice would be stored twice.
describe('an event id from bytes', () => {
  it('is the id of the text they decode to, for every corpus file', () => {
    for (const file of corpusFiles()) {
      const text = corpusText(file);
      expect(eventIdOfBytes(utf8(text)), file).toBe(eventIdOf(text));
    }
  });

  it('leaves out a byte order mark and the JSON whitespace around the text, as decoding and trimming do', () => {
    const text = '{"eventType":"START","ünïcødé":"名前 🚀"}';
    const id = eventIdOf(text);
    expect(eventIdOfBytes(utf8(text))).toBe(id);
    expect(eventIdOfBytes(utf8(` \r\n\t${text}\n\n`))).toBe(id);
    expect(eventIdOfBytes(concat(bom, utf8(`\n${text} `)))).toBe(id);
    // Whitespace inside the text is part of it; a space that JSON does not count as whitespace is too.
    expect(eventIdOfBytes(utf8('{ "a": 1 }'))).not.toBe(eventIdOf('{"a":1}'));
    expect(eventIdOfBytes(utf8(`\u00a0${text}`))).not.toBe(id);
  });

  it('is what prepareBytes answers, the same as prepareEvent of the text', () => {
    const text = corpusText(corpusFiles()[0]!);
    const fromBytes = prepareBytes(concat(bom, utf8(`${text}\n`)), { strict: false });
    const fromText = prepareEvent(text, { strict: false });
    expect(fromBytes.ok && fromText.ok).toBe(true);
    if (fromBytes.ok && fromText.ok) {
      expect(fromBytes.id).toBe(fromText.id);
      expect(fromBytes.event.id).toBe(fromText.id);
    }
  });
});
