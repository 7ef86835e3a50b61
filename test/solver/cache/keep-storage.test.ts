import { describe, expect, it } from 'vitest';
import { itemsOverBudget, type CacheItem } from '../../../src/solver/cache/keep-storage.js';

const item = (id: string, bytes: number, lastUsed: number, kept = false): CacheItem => ({ id, bytes, lastUsed, kept });

describe('itemsOverBudget (builder prune --keep-storage)', () => {
  it('removes nothing when the cache is under the size', () => {
    expect(itemsOverBudget([item('a', 10, 1), item('b', 10, 2)], 21)).toEqual([]);
  });

  it('removes the least recently used first, until the rest is under the size (BuildKit: totalSize < keepBytes)', () => {
    const items = [item('new', 50, 300), item('oldest', 40, 100), item('mid', 30, 200)];
    expect(itemsOverBudget(items, 81)).toEqual(['oldest']);
    expect(itemsOverBudget(items, 80)).toEqual(['oldest', 'mid']);
    expect(itemsOverBudget(items, 49)).toEqual(['oldest', 'mid', 'new']);
    expect(itemsOverBudget(items, 51)).toEqual(['oldest', 'mid']);
    expect(itemsOverBudget([item('a', 10, 1), item('b', 10, 2)], 20)).toEqual(['a']);
  });

  it('never removes kept items (what the until filter keeps), but counts them', () => {
    const items = [item('recent', 1000, 5, true), item('a', 10, 2), item('b', 10, 3)];
    expect(itemsOverBudget(items, 1015)).toEqual(['a']);
    expect(itemsOverBudget(items, 500)).toEqual(['a', 'b']);
    expect(itemsOverBudget(items, 2000)).toEqual([]);
  });
});
