// The `telemetry` section: OpenTelemetry traces, off unless `otlp_endpoint` is set (the SDK is then loaded at start,
// never otherwise, so boot time does not pay for it).
import { z } from 'zod';
import { argString, map, nonEmptyString, optional, section } from './fields.js';

export const telemetrySchema = section({
  /** the OTLP/HTTP base URL (as OTEL_EXPORTER_OTLP_ENDPOINT): spans are POSTed as JSON to `<otlp_endpoint>/v1/traces` */
  otlp_endpoint: optional(z.url({ protocol: /^https?$/, error: () => 'expected an http:// or https:// URL' })),
  /** headers sent with every export (a collector's API key, ...) */
  otlp_headers: map(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: () => 'invalid HTTP header name' }), argString()).default(() => ({})),
  /** the `service.name` resource attribute */
  service_name: nonEmptyString().default('aintegrix'),
});
