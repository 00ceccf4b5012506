import type { S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * The S3 client as the AWS SDK's standard variables describe it: AWS_ENDPOINT_URL_S3 (or
 * AWS_ENDPOINT_URL), AWS_REGION, and the keys through the SDK's own credential chain, so nothing
 * secret passes through xjwatch's settings. A named endpoint is an S3-compatible server: those
 * want path-style addresses (bucket in the path, not the host name) and no checksums beyond the
 * ones S3 requires (the SDK's default CRC32 trailers are refused by many). xjwatch checks SHA-256
 * itself on every read.
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  const id = env.AWS_ACCESS_KEY_ID?.trim();
  const secret = env.AWS_SECRET_ACCESS_KEY?.trim();
  return {
    // keys in the variables are used as they are; otherwise the SDK's chain (profile files, SSO, instance roles)
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } } : {}),
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
  };
}

/** Where requests go, for messages (never the keys). */
export function endpointOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || `AWS S3 (${s3ClientConfig(env).region as string})`;
}
