import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger. Account numbers, names and customer ids are never passed to it: records are
 * identified by partnerId, transferId and SQS message id, and accounts only by pseudonymised keys.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'transfer-screening',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});
