import { describe, expect, it } from 'vitest';
import { validationError } from './validation';

describe('validationError', () => {
  it('names the field and says what is wrong, as a typed error', () => {
    expect(validationError('text', 'must not be empty')).toEqual({
      type: 'ValidationError',
      field: 'text',
      message: 'must not be empty',
    });
  });
});
