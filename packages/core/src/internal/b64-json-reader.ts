/**
 * Reads a JSON response body arriving in byte chunks without ever holding it as one string.
 *
 * A `b64_json` reply of 15 images at 4 MB is ~80 MB of base64; `text()` + `JSON.parse` keeps the text, the
 * parsed strings and the decoded bytes alive at once (5–7× the image bytes). Here a small state machine walks
 * the bytes: the string value of every `"b64_json"` key is decoded on the fly into bytes and replaced in the
 * JSON by a number (its index in `images`); all other bytes form a small "skeleton" document parsed normally
 * by `JSON.parse` at the end, so escapes, numbers and URLs keep their exact JSON meaning.
 */
import { Base64Decoder } from './base64.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const KEY = [0x62, 0x36, 0x34, 0x5f, 0x6a, 0x73, 0x6f, 0x6e]; // b64_json

enum State {
  Outside,
  InString,
  InStringEscape,
  /** After the string `"b64_json"`: a `:` makes it a key. */
  AfterKeyString,
  /** After `"b64_json":`, waiting for the value. */
  BeforeValue,
  InBase64,
  InBase64Escape,
  InBase64Unicode,
}

const isWhitespace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

export interface B64JsonDocument {
  /** The parsed document, with each `b64_json` string replaced by the index of its bytes in `images`. */
  value: unknown;
  images: Uint8Array[];
}

export class B64JsonReader {
  private state = State.Outside;
  private keyMatch = 0;
  private keyMatches = false;
  private unicodeDigits = 0;
  private unicodeValue = 0;
  private readonly skeleton: Uint8Array[] = [];
  private readonly images: Uint8Array[] = [];
  private readonly decoder = new Base64Decoder();
  private readonly encoder = new TextEncoder();
  /** Total bytes seen, for error messages. */
  bytesRead = 0;

  push(chunk: Uint8Array): void {
    this.bytesRead += chunk.length;
    let segmentStart = 0; // start of the skeleton bytes of this chunk not yet saved
    let i = 0;
    const length = chunk.length;
    while (i < length) {
      switch (this.state) {
        case State.InBase64: {
          // Hot path: find the closing quote natively and decode everything before it in one go.
          const quote = chunk.indexOf(QUOTE, i);
          const end = quote === -1 ? length : quote;
          const backslash = chunk.indexOf(BACKSLASH, i);
          if (backslash !== -1 && backslash < end) {
            this.decoder.writeBytes(chunk, i, backslash);
            this.state = State.InBase64Escape;
            i = backslash + 1;
            break;
          }
          this.decoder.writeBytes(chunk, i, end);
          if (quote === -1) {
            i = length;
            segmentStart = length;
            break;
          }
          this.images.push(this.decoder.finish());
          this.state = State.Outside;
          i = quote + 1;
          segmentStart = i;
          break;
        }
        case State.InBase64Escape: {
          const byte = chunk[i++]!;
          if (byte === 0x75 /* u */) {
            this.state = State.InBase64Unicode;
            this.unicodeDigits = 0;
            this.unicodeValue = 0;
          } else {
            if (byte === 0x2f /* \/ */) this.decoder.writeCode(0x2f);
            // \n, \r, \t, \b, \f: line breaks some encoders put into base64; not part of the data.
            this.state = State.InBase64;
          }
          segmentStart = i;
          break;
        }
        case State.InBase64Unicode: {
          const byte = chunk[i++]!;
          const digit = byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x57;
          this.unicodeValue = this.unicodeValue * 16 + digit;
          if (++this.unicodeDigits === 4) {
            this.decoder.writeCode(this.unicodeValue);
            this.state = State.InBase64;
          }
          segmentStart = i;
          break;
        }
        case State.Outside: {
          const byte = chunk[i++]!;
          if (byte === QUOTE) {
            this.state = State.InString;
            this.keyMatch = 0;
            this.keyMatches = true;
          }
          break;
        }
        case State.InString: {
          const byte = chunk[i++]!;
          if (byte === QUOTE) {
            this.state = this.keyMatches && this.keyMatch === KEY.length ? State.AfterKeyString : State.Outside;
          } else if (byte === BACKSLASH) {
            this.keyMatches = false;
            this.state = State.InStringEscape;
          } else if (this.keyMatches) {
            if (this.keyMatch < KEY.length && byte === KEY[this.keyMatch]) this.keyMatch++;
            else this.keyMatches = false;
          }
          break;
        }
        case State.InStringEscape:
          i++;
          this.state = State.InString;
          break;
        case State.AfterKeyString: {
          const byte = chunk[i];
          if (byte !== undefined && isWhitespace(byte)) i++;
          else if (byte === COLON) {
            i++;
            this.state = State.BeforeValue;
          } else this.state = State.Outside;
          break;
        }
        case State.BeforeValue: {
          const byte = chunk[i];
          if (byte !== undefined && isWhitespace(byte)) i++;
          else if (byte === QUOTE) {
            // Save the skeleton so far, put the image's index in place of the string, decode the rest.
            this.save(chunk, segmentStart, i);
            this.skeleton.push(this.encoder.encode(String(this.images.length)));
            i++;
            segmentStart = i;
            this.state = State.InBase64;
          } else this.state = State.Outside; // null or another value: leave it to JSON.parse
          break;
        }
      }
    }
    if (this.state !== State.InBase64 && this.state !== State.InBase64Escape && this.state !== State.InBase64Unicode) {
      this.save(chunk, segmentStart, length);
    }
  }

  private save(chunk: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    // A whole chunk is kept as is; a piece is copied so the rest of the chunk can be freed.
    this.skeleton.push(start === 0 && end === chunk.length ? chunk : chunk.slice(start, end));
  }

  /** True when the body stopped inside a base64 value (a cut-off response). */
  get inValue(): boolean {
    return this.state === State.InBase64 || this.state === State.InBase64Escape || this.state === State.InBase64Unicode;
  }

  /** Parses the skeleton; throws a SyntaxError when the body was not valid JSON. */
  finish(): B64JsonDocument {
    if (this.inValue) throw new SyntaxError('Unexpected end of JSON input inside a b64_json value');
    const decoder = new TextDecoder();
    let text = '';
    for (const piece of this.skeleton) text += decoder.decode(piece, { stream: true });
    text += decoder.decode();
    this.skeleton.length = 0;
    return { value: JSON.parse(text), images: this.images };
  }
}
