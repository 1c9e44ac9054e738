import { describe, expect, it } from 'vitest';
import { nameList, roomEncryption } from '../room-encryption.js';

describe('roomEncryption', () => {
  it('says nothing before the first connection', () => {
    expect(roomEncryption(null, [])).toBeNull();
  });

  it('says "Encrypted" only when every member is told encrypted', () => {
    const members = [
      { name: 'ann', plain: false },
      { name: 'bo', plain: false },
    ];
    expect(roomEncryption('encrypted', members)).toMatchObject({ level: 'encrypted', label: 'Encrypted' });
    expect(roomEncryption('encrypted', [...members, { name: 'cy', plain: true }])).toMatchObject({
      level: 'partly',
      plainMembers: ['cy'],
      detail: 'cy is on a plain connection: what the room says reaches them in clear.',
    });
  });

  it('never says "Encrypted" when a member’s transport is not told, or ours is plain', () => {
    expect(roomEncryption('encrypted', [{ name: 'ann', plain: false }, { name: 'bo' }])).toMatchObject({
      level: 'unknown',
    });
    expect(roomEncryption('plain', [{ name: 'ann', plain: false }])).toMatchObject({
      level: 'plain',
      label: 'Not encrypted',
    });
  });
});

describe('nameList', () => {
  it('joins names for a sentence and counts the rest', () => {
    expect(nameList([])).toBe('');
    expect(nameList(['a'])).toBe('a');
    expect(nameList(['a', 'b'])).toBe('a and b');
    expect(nameList(['a', 'b', 'c'])).toBe('a, b and c');
    expect(nameList(['a', 'b', 'c', 'd', 'e'])).toBe('a, b and 3 others');
  });
});
