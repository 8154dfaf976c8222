// Looking up a key that came from outside (chat words, payload fields) on a plain object: only
// the object's own entries count, so `toString`, `constructor` or `__proto__` find nothing
// instead of a function or a prototype.

export const ownValue = <T>(o: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(o, key) ? o[key] : undefined
