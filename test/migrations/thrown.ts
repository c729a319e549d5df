/** The message of the error `fn` throws; fails the test when it throws none. */
export function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e: any) {
    return e.message;
  }
  throw new Error('expected an error, got none');
}
