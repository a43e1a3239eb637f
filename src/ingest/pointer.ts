/** One finding about an event, located by an RFC 6901 JSON pointer ("" is the whole event). */
export interface Deviation {
  pointer: string;
  message: string;
}

const escapeSegment = (segment: string | number) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1');

export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${escapeSegment(s)}`).join('');
}
