/** Raised by smart constructors when raw input does not make a valid value. */
export type ValidationError = {
  readonly type: 'ValidationError';
  readonly field: string;
  readonly message: string;
};

export const validationError = (field: string, message: string): ValidationError => ({
  type: 'ValidationError',
  field,
  message,
});
