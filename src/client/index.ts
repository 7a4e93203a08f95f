export { PredictionProducer, type PredictionProducerOptions } from './prediction-producer.ts';
