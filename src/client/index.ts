export type { FlushResult, LoggerErrorReport, LoggerStats } from './buffered-sender.ts';
export {
  PREDICTION_LOGGER_DEFAULTS,
  PredictionLogger,
  type PredictionLoggerOptions,
} from './prediction-logger.ts';
export { PredictionProducer, type PredictionProducerOptions } from './prediction-producer.ts';
