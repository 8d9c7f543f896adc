import { type Static, Type } from 'typebox';
import { ERROR_CATALOG, type ErrorCode } from '../core/errors.ts';

const ALL_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/** Every error code of the catalog, with the HTTP status it is answered with. */
export const ErrorCodeSchema = Type.Enum(ALL_CODES, {
  description: `stable error code; its HTTP status: ${ALL_CODES.map((code) => `${code} ${ERROR_CATALOG[code]}`).join(', ')}`,
});

/** The body of every error reply; `codes` narrows the code to those one response can carry. */
export function ErrorBodyOf(codes: readonly ErrorCode[] = ALL_CODES, description?: string) {
  return Type.Object(
    {
      error: Type.Object({
        code: Type.Enum([...codes]),
        message: Type.String({ description: 'what went wrong, naming the field of bad input ("jobs[1].delay: …")' }),
        details: Type.Optional(Type.Unknown()),
      }),
    },
    description === undefined ? {} : { description },
  );
}

export const ErrorBody = ErrorBodyOf();
export type ErrorBody = Static<typeof ErrorBody>;
