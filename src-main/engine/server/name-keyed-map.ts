// A map from names to values in which names that look the same are one key (nameKey: NFKC, case,
// look-alike letters), so "Alice" and "alice" — or a composed and a decomposed "José" — cannot both
// be present. Callers keep using names; iteration yields the folded keys.
import { nameKey } from '../../../src-shared/protocol/names.js';

export class NameKeyedMap<V> extends Map<string, V> {
  override get(name: string): V | undefined {
    return super.get(nameKey(name));
  }

  override has(name: string): boolean {
    return super.has(nameKey(name));
  }

  override set(name: string, value: V): this {
    return super.set(nameKey(name), value);
  }

  override delete(name: string): boolean {
    return super.delete(nameKey(name));
  }
}
