import { S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from './s3-config.js';

export function s3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  // the SDK warns on every start under Node 20 that versions after January 2027 need Node 22; the
  // version in package-lock.json supports Node 20, which is the only Node these machines have
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client(s3ClientConfig(env));
}
