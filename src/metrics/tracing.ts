// Traces, when `telemetry.otlp_endpoint` is configured: the OpenTelemetry SDK, an OTLP/HTTP (JSON) exporter and a
// TurnTracer fed by every commit. This module is imported only then (gateway.ts loads it dynamically), so a gateway
// without telemetry never loads the SDK and boots as fast as before.
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { TelemetryConfig } from '../config/index.js';
import type { EventStore } from '../store/types.js';
import type { Logger } from '../log/logger.js';
import { TurnTracer } from './turn-tracer.js';

export interface Tracing {
  /** stop tracing, end nothing more, and send what is buffered (at shutdown, before the store closes) */
  close(): Promise<void>;
}

export function startTracing(config: TelemetryConfig & { otlp_endpoint: string }, store: EventStore, logger: Logger): Tracing {
  // a collector that hangs costs at most this per export, and so at most this at shutdown
  const timeoutMillis = 5000;
  const exporter = new OTLPTraceExporter({ url: `${config.otlp_endpoint.replace(/\/+$/, '')}/v1/traces`, headers: config.otlp_headers, timeoutMillis });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.service_name }),
    spanProcessors: [new BatchSpanProcessor(exporter, { exportTimeoutMillis: timeoutMillis })],
  });
  const tracer = new TurnTracer(provider.getTracer('aintegrix'));
  const unsubscribe = store.onCommitted((events, commit) => tracer.observeCommit(events, commit));
  logger.info('traces exported over OTLP', { endpoint: config.otlp_endpoint });
  return {
    async close() {
      unsubscribe();
      await provider.shutdown().catch((e: Error) => logger.warn('exporting the last spans failed', { error: e }));
    },
  };
}
