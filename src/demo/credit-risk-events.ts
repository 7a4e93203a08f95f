import { cumulative, SeededRandom } from '../core/random/seeded-random.ts';

/**
 * The demo model's prediction events (schemas/credit-risk-prediction.avsc). The same generator, with the same seed
 * family, makes the training data behind topologies/baselines/credit-risk.baseline.json, the demo's live stream,
 * and the integration tests' streams; `drift` shifts exactly two features (amount up by half, channel towards
 * mobile) and leaves the rest as in training.
 */
export interface CreditRiskEvent {
  model_name: string;
  model_version: string;
  request_id: string;
  event_time: number;
  features: { amount: number; age: number; income: number | null; channel: string; country: string };
  prediction: { score: number; label: string };
}

export interface CreditRiskDrift {
  /** Multiply amount by this factor (1 = no drift). */
  readonly amountFactor: number;
  /** Channel weights web, mobile, branch, partner. */
  readonly channelWeights: readonly number[];
}

export const CHANNELS = ['web', 'mobile', 'branch', 'partner'] as const;
export const COUNTRIES = ['DE', 'FR', 'ES', 'IT'] as const;
export const NO_DRIFT: CreditRiskDrift = { amountFactor: 1, channelWeights: [0.45, 0.35, 0.15, 0.05] };
export const DEMO_DRIFT: CreditRiskDrift = { amountFactor: 1.5, channelWeights: [0.2, 0.65, 0.1, 0.05] };
const COUNTRY_CUMULATIVE = cumulative([0.4, 0.3, 0.2, 0.1]);

export class CreditRiskEventGenerator {
  readonly #random: SeededRandom;
  readonly #prefix: string;
  #sequence = 0;

  constructor(seed: number, prefix = `r${seed}`) {
    this.#random = new SeededRandom(seed);
    this.#prefix = prefix;
  }

  next(eventTime: number, drift: CreditRiskDrift = NO_DRIFT, modelVersion = '1.4.0'): CreditRiskEvent {
    const r = this.#random;
    const amount = Math.round(Math.exp(8 + 0.6 * r.normal()) * drift.amountFactor * 100) / 100;
    const age = Math.min(90, Math.max(18, Math.round(40 + 12 * r.normal())));
    const incomeDraw = Math.exp(10.6 + 0.4 * r.normal());
    const income = r.next() < 0.05 ? null : Math.round(incomeDraw);
    const channel = CHANNELS[r.pick(cumulative(drift.channelWeights))]!;
    const country = COUNTRIES[r.pick(COUNTRY_CUMULATIVE)]!;
    const z =
      -3 + amount / 6000 + (income === null ? 0.5 : -income / 80000) + (channel === 'partner' ? 0.4 : 0);
    const score = 1 / (1 + Math.exp(-z));
    this.#sequence++;
    return {
      model_name: 'credit-risk',
      model_version: modelVersion,
      request_id: `${this.#prefix}-${this.#sequence}`,
      event_time: Math.floor(eventTime),
      features: { amount, age, income, channel, country },
      prediction: { score, label: score < 0.5 ? 'approve' : 'decline' },
    };
  }
}
