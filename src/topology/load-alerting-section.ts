/**
 * The topology file's `alerting:` section (topologies/README.md, "Incidents and retrain requests"), read into
 * AlertingSpec. Like the model section, it uses the topology's own topic and duration checks, passed in by
 * load-topology.ts so there is one definition of each and no import cycle.
 */
import { type AlertingSpec, DEFAULT_ALERTING, DEFAULT_RETRAIN, type RetrainSpec } from './alerting-spec.ts';
import { type Check, type FieldTable, number, section, withDefault } from './yaml-fields.ts';

export interface AlertingChecks {
  readonly kafkaTopic: Check<string>;
  readonly duration: (options?: { positive?: boolean }) => Check<number>;
}

/** An integer >= 1. */
const COUNT: Check<number> = (field) => {
  const value = number()(field);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) return field.fail(`must be an integer >= 1, got ${value}`);
  return value;
};

/** A trigger's level, or `off` to disable the trigger (an absent key keeps the default). */
function levelOrOff(level: Check<number>): Check<number | null> {
  return (field) => {
    const value = field.scalar('a number or off');
    if (value === undefined) return undefined;
    if (value === 'off' || value === false) return null;
    if (typeof value === 'string') return field.fail(`must be a number or off, got "${value}"`);
    return level(field);
  };
}

/** A share in (0, 1]. */
const RATE: Check<number> = (field) => {
  const value = number({ above: 0 })(field);
  if (value === undefined) return undefined;
  if (value > 1) return field.fail(`must be a rate in (0, 1], got ${value}`);
  return value;
};

/** Builds the section's reader from the topology's scalar checks. */
export function alertingSection(checks: AlertingChecks) {
  const { kafkaTopic, duration } = checks;

  const RETRAIN_FIELDS = {
    topic: withDefault(kafkaTopic, DEFAULT_RETRAIN.topic),
    minCriticalFeatures: withDefault(levelOrOff(COUNT), DEFAULT_RETRAIN.minCriticalFeatures),
    performanceDrop: withDefault(levelOrOff(number({ above: 0 })), DEFAULT_RETRAIN.performanceDrop),
    skewRate: withDefault(levelOrOff(RATE), DEFAULT_RETRAIN.skewRate),
    sustained: withDefault(COUNT, DEFAULT_RETRAIN.sustained),
    cooldown: withDefault(duration(), DEFAULT_RETRAIN.cooldownMs),
  } satisfies FieldTable;

  const retrain = section(RETRAIN_FIELDS, {
    build: (v): RetrainSpec => ({
      topic: v.topic,
      minCriticalFeatures: v.minCriticalFeatures,
      performanceDrop: v.performanceDrop,
      skewRate: v.skewRate,
      sustained: v.sustained,
      cooldownMs: v.cooldown,
    }),
  });

  const ALERTING_FIELDS = {
    openAfter: withDefault(COUNT, DEFAULT_ALERTING.openAfter),
    resolveAfter: withDefault(COUNT, DEFAULT_ALERTING.resolveAfter),
    cooldown: withDefault(duration(), DEFAULT_ALERTING.cooldownMs),
    incidents: withDefault(kafkaTopic, DEFAULT_ALERTING.incidentTopic),
    retrain: withDefault(retrain, DEFAULT_RETRAIN),
  } satisfies FieldTable;

  const check = section(ALERTING_FIELDS, {
    check: (v, at) => {
      if (v.incidents !== undefined && v.retrain !== undefined && v.incidents === v.retrain.topic) {
        at.fail('incidents', `must differ from retrain.topic ("${v.incidents}")`);
      }
    },
    build: (v): AlertingSpec => ({
      openAfter: v.openAfter,
      resolveAfter: v.resolveAfter,
      cooldownMs: v.cooldown,
      incidentTopic: v.incidents,
      retrain: v.retrain,
    }),
  });

  const keys = { alerting: Object.keys(ALERTING_FIELDS), retrain: Object.keys(RETRAIN_FIELDS) };
  return { check, keys };
}
