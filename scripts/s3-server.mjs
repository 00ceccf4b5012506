// An S3-compatible server for the test suite (s3rver, files in a folder), on 127.0.0.1 only:
// node scripts/s3-server.mjs DIR PORT BUCKET. Keys: S3RVER / S3RVER (s3rver's own test account;
// it checks every request's SigV4 signature against them). scripts/services.sh starts it.
import S3rver from '@20minutes/s3rver';

const [dir, port, bucket] = process.argv.slice(2);
if (!dir || !port || !bucket) {
  console.error('usage: node scripts/s3-server.mjs DIR PORT BUCKET');
  process.exit(2);
}
const server = new S3rver({ directory: dir, address: '127.0.0.1', port: Number(port), silent: true, vhostBuckets: false, configureBuckets: [{ name: bucket, configs: [] }] });
const { address, port: bound } = await server.run();
console.log(`s3rver listening on ${address}:${bound}`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
