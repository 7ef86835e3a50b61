import { describe, expect, it } from 'vitest';
import { itemsOverBudget, type CacheItem } from '../../../src/solver/cache/keep-storage.js';

const item = (id: string, bytes: number, lastUsed: number, kept = false): CacheItem => ({ id, bytes, lastUsed, kept });

describe('itemsOverBudget (builder prune --keep-storage)', () => {
  it('removes nothing when the cache already fits', () => {
    expect(itemsOverBudget([item('a', 10, 1), item('b', 10, 2)], 20)).toEqual([]);
  });

  it('removes the least recently used first, only until the rest fits', () => {
    const items = [item('new', 50, 300), item('oldest', 40, 100), item('mid', 30, 200)];
    expect(itemsOverBudget(items, 80)).toEqual(['oldest']);
    expect(itemsOverBudget(items, 49)).toEqual(['oldest', 'mid', 'new']);
    expect(itemsOverBudget(items, 50)).toEqual(['oldest', 'mid']);
  });

  it('never removes kept items, and does not count them', () => {
    const items = [item('image-layer', 1000, 1, true), item('a', 10, 2), item('b', 10, 3)];
    expect(itemsOverBudget(items, 10)).toEqual(['a']);
    expect(itemsOverBudget(items, 0)).toEqual(['a', 'b']);
  });
});
