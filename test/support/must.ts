// Narrowing without `!`: each helper fails the test with a reason instead of crashing later on `undefined`.

/** `value`, or a thrown error saying `why` it should have been there. */
export function must<T>(value: T | null | undefined, why: string): T {
  if (value === null || value === undefined) throw new Error(`expected a value: ${why}`);
  return value;
}

/** The first element matching `predicate`; throws (naming `what`) when there is none. */
export function mustFind<T, S extends T = T>(
  items: readonly T[],
  predicate: ((item: T) => item is S) | ((item: T) => boolean),
  what: string,
): S {
  const found = items.find(predicate as (item: T) => boolean);
  if (found === undefined) throw new Error(`no ${what} among ${items.length} item(s)`);
  return found as S;
}

/** `items[index]`; throws when the list is shorter, saying what was expected there. */
export function mustAt<T>(items: readonly T[], index: number, what: string): T {
  if (index < 0 || index >= items.length) throw new Error(`no ${what} at index ${index} (length ${items.length})`);
  return items[index] as T;
}
