import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one tracer: it wraps every AWS SDK client (lambdas/adapters/aws-clients.ts), so that each
 * DynamoDB and SQS call is an X-Ray subsegment of the invocation. It traces only inside Lambda, and
 * the local runtime turns it off (POWERTOOLS_TRACE_ENABLED=false) unless asked.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'transfer-screening' });
