import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../src/topology/yaml-fields.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['topic', 'topic', 0],
    ['topc', 'topic', 1],
    ['tpoic', 'topic', 1],
    ['sze', 'size', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%j -> %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closest', () => {
  const keys = ['topic', 'subject', 'eventTime', 'modelName', 'modelVersion'];

  it('suggests a key within two edits', () => {
    expect(closest('topik', keys)).toBe('topic');
    expect(closest('subjekt', keys)).toBe('subject');
    expect(closest('modelVersio', keys)).toBe('modelVersion');
  });

  it('ignores case and - or _ separators', () => {
    expect(closest('event_time', keys)).toBe('eventTime');
    expect(closest('model-name', keys)).toBe('modelName');
    expect(closest('EVENTTIME', keys)).toBe('eventTime');
  });

  it('suggests nothing when no key is close, or when the edit rewrites a short word', () => {
    expect(closest('partition', keys)).toBeUndefined();
    expect(closest('x', ['y'])).toBeUndefined();
  });
});
