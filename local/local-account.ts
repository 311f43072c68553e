/** The account and region of every local stand-in: the ARNs and URLs of a local run name these. */
export const LOCAL_REGION = 'us-east-1';
/** fauxqs's own account id, which its queue URLs and ARNs carry. */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** Dummy credentials of the operator: the stand-ins accept any, the SDK and the AWS CLI insist on having some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
