import { expect } from "vitest";
import { ClipError } from "../../../core/index.js";

/** The ClipError a call throws; the test fails if it throws anything else, or nothing. */
export function rejection(fn: () => unknown): ClipError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ClipError);
    return err as ClipError;
  }
  throw new Error("expected a ClipError, got a result");
}
