import { DomainError, ErrorCode } from '../../domain/errors.js';

/** The value, or undefined when the domain says NOT_FOUND (the sandbox creates only what is missing). */
export async function exists<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof DomainError && error.code === ErrorCode.NOT_FOUND) return undefined;
    throw error;
  }
}
