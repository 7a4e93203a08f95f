import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import {
  boolean,
  type Check,
  closest,
  editDistance,
  number,
  required,
  scalarOr,
  section,
  string,
  Validation,
  withDefault,
} from '../../src/topology/yaml-fields.ts';

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

/** Runs `check` on the root value of a one-document YAML `text`; the value it returns and the issues it reported. */
function run<T>(check: Check<T>, text: string): { value: T | undefined; issues: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const validation = new Validation('f.yaml', lineCounter, doc);
  const value = check(validation.root()!);
  return {
    value,
    issues: validation.sortedIssues().map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`),
  };
}

describe('boolean', () => {
  it('reads true and false', () => {
    expect(run(boolean(), 'true')).toEqual({ value: true, issues: [] });
    expect(run(boolean(), 'false')).toEqual({ value: false, issues: [] });
  });

  it('rejects anything else, strings included', () => {
    expect(run(boolean(), '"true"')).toEqual({
      value: undefined,
      issues: ['1:1 : must be true or false, got the string "true"'],
    });
    expect(run(boolean(), '1').issues).toEqual(['1:1 : must be true or false, got the number 1']);
    expect(run(boolean(), 'yes').issues).toEqual(['1:1 : must be true or false, got the string "yes"']);
    expect(run(boolean(), '[true]').issues).toEqual(['1:1 : must be true or false, got a list']);
  });
});

describe('scalarOr', () => {
  const level = scalarOr<{ name: string; size: number }>(
    (field) => {
      const name = string()(field);
      return name === undefined ? undefined : { name, size: 1 };
    },
    section(
      { name: required(string()), size: withDefault(number({ above: 0 }), 1) },
      { build: (v) => ({ name: v.name, size: v.size }) },
    ),
  );

  it('reads the shorthand from a scalar', () => {
    expect(run(level, 'small')).toEqual({ value: { name: 'small', size: 1 }, issues: [] });
  });

  it('reads the full form from a mapping', () => {
    expect(run(level, 'name: big\nsize: 3')).toEqual({ value: { name: 'big', size: 3 }, issues: [] });
    expect(run(level, '{name: big}')).toEqual({ value: { name: 'big', size: 1 }, issues: [] });
  });

  it('reports the problems of the form it was written in', () => {
    expect(run(level, '42').issues).toEqual(['1:1 : must be a string, got the number 42']);
    expect(run(level, 'name: big\nsize: 0').issues).toEqual(['2:7 size: must be greater than 0, got 0']);
    expect(run(level, 'size: 2').issues).toEqual(['1:1 name: required field is missing']);
    // A list is neither form: the scalar check reports it.
    expect(run(level, '[a]').issues).toEqual(['1:1 : must be a string, got a list']);
  });
});
