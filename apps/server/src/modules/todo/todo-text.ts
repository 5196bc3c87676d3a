import { type ValidationError, validationError } from '@ironstar/domain';
import { err, ok, type Result } from 'neverthrow';

export type TodoText = string & { readonly __brand: 'TodoText' };

export const TODO_TEXT_MAX = 500;

// Control characters (including newlines) would make a one-line label ambiguous.
const CONTROL = /\p{Cc}/u;
// A lone surrogate is not text: strict JSON parsers and SQLite's JSON functions reject it, and
// events are never rewritten, so it would poison the history for good.
const LONE_SURROGATE = /\p{Cs}/u;
// Bidi embeddings, overrides and isolates reorder what is displayed around them ("Trojan
// Source" spoofing). The marks U+200E, U+200F and U+061C stay allowed: they reorder nothing
// beyond themselves and right-to-left text needs them.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
// Text drawn as nothing: spaces, default-ignorable code points (zero-width characters,
// variation selectors, Hangul fillers, tags…), format and control characters, lone combining
// marks, and the blank Braille pattern.
const INVISIBLE_ONLY =
  /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{M}\u2800]*$/u;

export const TodoText = {
  /**
   * Trims, then requires 1 to 500 characters (code points) of well-formed text that shows
   * something: no control characters, lone surrogates or bidi overrides.
   */
  parse(raw: unknown): Result<TodoText, ValidationError> {
    if (typeof raw !== 'string') return err(validationError('text', 'text must be a string'));
    // Checked before trimming, so nothing is hidden in what trim() would drop.
    if (LONE_SURROGATE.test(raw)) {
      return err(validationError('text', 'text must be well-formed Unicode (a lone surrogate)'));
    }
    const text = raw.trim();
    const length = [...text].length;
    if (length < 1 || length > TODO_TEXT_MAX) {
      return err(validationError('text', `text must be 1-${TODO_TEXT_MAX} characters`));
    }
    if (CONTROL.test(text)) {
      return err(validationError('text', 'text must not contain control characters'));
    }
    if (BIDI_CONTROL.test(text)) {
      return err(
        validationError('text', 'text must not contain bidi overrides, embeddings or isolates'),
      );
    }
    if (INVISIBLE_ONLY.test(text)) {
      return err(validationError('text', 'text must contain something visible'));
    }
    return ok(text as TodoText);
  },
};
