/**
 * Chunked transfer coding (RFC 9112 §7.1), decoded as it arrives: the data
 * is handed on, the framing, extensions and trailer section are checked and
 * dropped. As strict as llhttp on every line: no whitespace around a size,
 * extensions of tokens and quoted strings, trailer fields as well-formed as
 * header fields, and no framing field among them.
 */
import { MAX_HEAD_BYTES } from './head.js';
import { forEachField, HttpError } from './syntax.js';

/** Longest chunk-size line (size and extensions). */
const MAX_SIZE_LINE = 4096;

const TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
/** quoted-string of RFC 9110 §5.6.4: qdtext (HTAB, SP, visible but `"` and `\`, obs-text) and quoted-pairs. */
const QUOTED = '"(?:[\\t !#-\\[\\]-~\\x80-\\xff]|\\\\[\\t -~\\x80-\\xff])*"';
/** chunk-size [ chunk-ext ]: hex digits, then `;name` or `;name=value` with nothing between. */
const SIZE_LINE = new RegExp(`^([0-9a-fA-F]+)((?:;${TCHAR}+(?:=(?:${TCHAR}+|${QUOTED}))?)*)$`);
/** Sizes are exact in a double up to 2^53; graymesh takes up to 12 significant hex digits (2^48 − 1). */
const MAX_SIZE_DIGITS = 12;

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
  Done,
}

/** The extension shapes llhttp also takes, beyond RFC 9112's: an empty name or value (`;;`, `;=v`, `;n=`). */
const EMPTY_EXT = new RegExp(`^[0-9a-fA-F]+(?:;${TCHAR}*(?:=(?:${TCHAR}*|${QUOTED}))?)+$`);

function chunkSize(line: string): number {
  const m = SIZE_LINE.exec(line);
  if (!m) throw new HttpError(400, EMPTY_EXT.test(line) ? 'chunk extension with an empty name or value' : 'malformed chunk size');
  const digits = m[1]!.replace(/^0+(?=.)/, '');
  if (digits.length > MAX_SIZE_DIGITS) throw new HttpError(400, 'chunk size too large');
  return parseInt(digits, 16);
}

/** A trailer field line: well-formed as a header field, and not one that frames the message. */
function checkTrailer(line: string): void {
  forEachField(line, 0, 400, (name) => {
    if (name === 'content-length' || name === 'transfer-encoding') throw new HttpError(400, `${name} in the trailer section`);
  });
}

export class ChunkedDecoder {
  private state = Chunk.Size;
  private remaining = 0;
  private line = '';
  private trailerBytes = 0;

  /**
   * Reads from buf[start..]; returns the offset just past the body's end when
   * the body ended inside buf, else -1 (all of buf was body). Throws HttpError
   * on malformed framing.
   */
  push(buf: Buffer, start: number, onData: (b: Buffer) => void): number {
    let pos = start;
    while (pos < buf.length) {
      switch (this.state) {
        case Chunk.Size:
        case Chunk.Trailer: {
          const nl = buf.indexOf(10, pos);
          const end = nl < 0 ? buf.length : nl + 1;
          this.line += buf.toString('latin1', pos, end);
          pos = end;
          this.checkLength();
          if (nl < 0) break;
          if (!this.line.endsWith('\r\n')) throw new HttpError(400, 'malformed chunk line');
          const line = this.line.slice(0, -2);
          this.line = '';
          if (this.state === Chunk.Trailer) {
            if (line === '') {
              this.state = Chunk.Done;
              return pos;
            }
            checkTrailer(line);
            continue;
          }
          this.remaining = chunkSize(line);
          this.state = this.remaining === 0 ? Chunk.Trailer : Chunk.Data;
          break;
        }
        case Chunk.Data: {
          const take = Math.min(this.remaining, buf.length - pos);
          onData(pos === 0 && take === buf.length ? buf : buf.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = Chunk.DataEnd;
            this.remaining = 2;
          }
          break;
        }
        case Chunk.DataEnd: {
          const want = this.remaining === 2 ? 13 : 10;
          if (buf[pos] !== want) throw new HttpError(400, 'malformed chunk end');
          pos++;
          if (--this.remaining === 0) this.state = Chunk.Size;
          break;
        }
        case Chunk.Done:
          return pos;
      }
    }
    return -1;
  }

  /** A size line is held to 4 KiB; the trailer section, as a head, to 16 KiB. */
  private checkLength(): void {
    if (this.state === Chunk.Size) {
      if (this.line.length > MAX_SIZE_LINE) throw new HttpError(400, 'chunk-size line too long');
    } else if (this.trailerBytes + this.line.length > MAX_HEAD_BYTES) {
      throw new HttpError(431, 'trailer section too large');
    }
    if (this.state === Chunk.Trailer && this.line.endsWith('\n')) this.trailerBytes += this.line.length;
  }
}
