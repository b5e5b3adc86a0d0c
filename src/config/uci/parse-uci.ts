/**
 * A UCI parser that reads files the way OpenWrt's libuci does: `package`/`config`/`option`/`list`
 * (or their one-letter forms), single quotes (no escapes inside), double quotes and bare words
 * with backslash escapes, backslash-newline continuation, `;` between commands, `#` comments,
 * multi-line quoted values, and repeated named sections merged into the first.
 *
 * @example
 * const pkg = parseUci("config interface 'lan'\n\toption proto 'static'\n");
 * pkg.sections[0]?.options.get('proto'); // 'static'
 */
import { UciSyntaxError } from '../errors.ts';
import { hasControlCharacter, type UciPackage, type UciSection } from './uci-model.ts';

interface Word {
  value: string;
  offset: number;
  dropsRestOfLine?: boolean;
}

const keywords: Record<string, 'package' | 'config' | 'option' | 'list'> = {
  p: 'package',
  package: 'package',
  c: 'config',
  config: 'config',
  o: 'option',
  option: 'option',
  l: 'list',
  list: 'list',
};

export interface ParseUciOptions {
  /** Named in error messages. @default '<uci>' */
  source?: string;
}

/** Parses one package's text; throws `UciSyntaxError` with line:col on the first error. */
export function parseUci(text: string, options: ParseUciOptions = {}): UciPackage {
  return new UciReader(text, options.source ?? '<uci>').read();
}

class UciReader {
  private pos = 0;
  private readonly sections: UciSection[] = [];
  private readonly named = new Map<string, UciSection>();
  private current: UciSection | undefined;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  read(): UciPackage {
    while (this.pos < this.text.length) {
      const words = this.statement();
      if (words.length > 0) this.apply(words);
    }
    return { sections: this.sections };
  }

  private fail(reason: string, offset: number): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < this.text.length; i++) {
      if (this.text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    throw new UciSyntaxError(reason, line, offset - lineStart + 1, this.source);
  }

  /** The words of one command, up to a newline, `;`, comment or the end of the text. */
  private statement(): Word[] {
    const words: Word[] = [];
    for (;;) {
      // A backslash before the command is part of it (an invalid one), not a continuation.
      this.skipBlanks(words.length > 0);
      const c = this.text[this.pos];
      if (c === undefined) return words;
      if (c === '\n') {
        this.pos++;
        return words;
      }
      if (c === '#') {
        this.skipComment();
        continue;
      }
      if (words.length === 0) {
        words.push(this.command());
        continue;
      }
      if (c === ';') {
        this.pos++;
        return words;
      }
      const word = this.word();
      words.push(word);
      if (word.dropsRestOfLine) this.skipComment();
    }
  }

  /** libuci splits the command off with strtok: no quotes or escapes, only spaces end it. */
  private command(): Word {
    const offset = this.pos;
    while (this.pos < this.text.length && !' \t\r\n'.includes(this.text[this.pos] ?? '')) {
      this.pos++;
    }
    return { value: this.text.slice(offset, this.pos), offset };
  }

  private skipBlanks(continuations: boolean): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f') this.pos++;
      else if (continuations && c === '\\' && this.isLineEnd(this.pos + 1)) {
        this.skipContinuation();
      } else return;
    }
  }

  private skipComment(): void {
    while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
  }

  private isLineEnd(at: number): boolean {
    const c = this.text[at];
    return c === '\n' || (c === '\r' && this.text[at + 1] === '\n') || c === undefined;
  }

  /** Skips a backslash and the line break after it: the command goes on on the next line. */
  private skipContinuation(): void {
    this.pos++;
    if (this.text[this.pos] === '\r') this.pos++;
    if (this.text[this.pos] === '\n') this.pos++;
  }

  private word(): Word {
    const offset = this.pos;
    let value = '';
    // Whether quotes or escapes shortened the word in libuci's in-place buffer (see below).
    let compacted = false;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n' || c === ' ' || c === '\t' || c === '\r') break;
      if (c === '\v' || c === '\f') break;
      if (c === ';') {
        // libuci ends the word by writing NUL at its end in place; with nothing removed from
        // it, that NUL lands on the ';' and the rest of the line is never read.
        return { value, offset, dropsRestOfLine: !compacted };
      }
      if (c === '#') {
        this.skipComment();
        break;
      }
      if (c === "'") {
        value += this.singleQuoted();
        compacted = true;
      } else if (c === '"') {
        value += this.doubleQuoted();
        compacted = true;
      } else if (c === '\\') {
        value += this.escape();
        compacted = true;
      } else {
        value += c;
        this.pos++;
      }
    }
    return { value, offset };
  }

  private singleQuoted(): string {
    const start = this.pos++;
    const end = this.text.indexOf("'", this.pos);
    if (end < 0) this.fail("unterminated '", start);
    const out = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return out;
  }

  private doubleQuoted(): string {
    const start = this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated "', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') out += this.escape();
      else {
        out += c;
        this.pos++;
      }
    }
  }

  /** A backslash keeps the next character literally, or joins the next line. */
  private escape(): string {
    if (this.isLineEnd(this.pos + 1)) {
      this.skipContinuation();
      return '';
    }
    const c = this.text[this.pos + 1] ?? '';
    this.pos += 2;
    return c;
  }

  private apply(words: Word[]): void {
    const [command, ...args] = words as [Word, ...Word[]];
    const kind = keywords[command.value];
    if (!kind) this.fail('invalid command', command.offset);
    switch (kind) {
      case 'package':
        this.arity(args, 1, 1, command);
        if (!/^[A-Za-z0-9_-]+$/.test(args[0]?.value ?? '')) {
          this.fail('invalid character in name field', args[0]?.offset ?? command.offset);
        }
        return;
      case 'config':
        return this.config(args, command);
      case 'option':
      case 'list':
        return this.option(args, command, kind === 'list');
    }
  }

  private arity(args: Word[], min: number, max: number, command: Word): void {
    if (args.length < min || (min > 0 && args[0]?.value === '')) {
      this.fail('insufficient arguments', command.offset);
    }
    const extra = args[max];
    if (extra) this.fail('too many arguments', extra.offset);
  }

  private config(args: Word[], command: Word): void {
    this.arity(args, 1, 2, command);
    const [type, name] = args as [Word, Word | undefined];
    if (!/^[\x21-\x7e]+$/.test(type.value))
      this.fail('invalid character in type field', type.offset);
    if (!name || name.value === '') {
      this.current = { type: type.value, options: new Map() };
      this.sections.push(this.current);
      return;
    }
    if (!/^[A-Za-z0-9_]+$/.test(name.value))
      this.fail('invalid character in name field', name.offset);
    const prior = this.named.get(name.value);
    if (prior) {
      if (prior.type !== type.value) {
        this.fail('section of different type overwrites prior section with same name', name.offset);
      }
      this.current = prior;
      return;
    }
    this.current = { type: type.value, name: name.value, options: new Map() };
    this.named.set(name.value, this.current);
    this.sections.push(this.current);
  }

  private option(args: Word[], command: Word, list: boolean): void {
    if (!this.current)
      this.fail('option/list command found before the first section', command.offset);
    this.arity(args, 1, 2, command);
    const [name, value] = args as [Word, Word | undefined];
    if (!/^[A-Za-z0-9_]+$/.test(name.value))
      this.fail('invalid character in name field', name.offset);
    const text = value?.value ?? '';
    if (hasControlCharacter(text)) {
      this.fail('invalid character in value', value?.offset ?? name.offset);
    }
    const options = this.current.options;
    if (!list) {
      // libuci: setting an option to '' deletes it.
      if (text === '') options.delete(name.value);
      else options.set(name.value, text);
      return;
    }
    const prior = options.get(name.value);
    if (prior === undefined) options.set(name.value, [text]);
    else if (typeof prior === 'string') options.set(name.value, [prior, text]);
    else prior.push(text);
  }
}
