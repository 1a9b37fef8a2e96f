// Throughput of the seed's Node API-key encryption (encryptApiKey/decryptApiKey verbatim),
// the baseline for `agentctl bench crypto`, which runs `node scripts/bench-crypto-seed.mjs N`.
// Prints one JSON line: {"seal_per_s":..., "open_per_s":..., "pair_per_s":...}.
import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';

// Fixed benchmark key, the same test key as CryptoBenchmark.swift; never a real one.
process.env.ENCRYPTION_KEY ??= '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const ENCRYPTION_KEY = process.env.ENCRYPTION_KEY;
const ALGORITHM = 'aes-256-gcm';

function encryptApiKey(apiKey) {
  const iv = randomBytes(16);
  const cipher = createCipheriv(ALGORITHM, Buffer.from(ENCRYPTION_KEY, 'hex'), iv);
  let encrypted = cipher.update(apiKey, 'utf8', 'hex');
  encrypted += cipher.final('hex');
  const authTag = cipher.getAuthTag().toString('hex');
  return `${iv.toString('hex')}:${authTag}:${encrypted}`;
}

function decryptApiKey(encryptedData) {
  const [ivHex, authTagHex, encryptedHex] = encryptedData.split(':');
  const iv = Buffer.from(ivHex, 'hex'); const authTag = Buffer.from(authTagHex, 'hex'); const encrypted = Buffer.from(encryptedHex, 'hex');
  const decipher = createDecipheriv(ALGORITHM, Buffer.from(ENCRYPTION_KEY, 'hex'), iv);
  decipher.setAuthTag(authTag);
  let decrypted = decipher.update(encrypted, undefined, 'utf8');
  decrypted += decipher.final('utf8');
  return decrypted;
}

// Same 56-character key as CryptoBenchmark.sampleAPIKey.
const API_KEY = 'sk-proj-benchmark0123456789abcdefghijklmnopqrstuvwxyzABC';
const iterations = Number.parseInt(process.argv[2] ?? '100000', 10);
if (!(iterations > 0)) {
  console.error('usage: node scripts/bench-crypto-seed.mjs <iterations>');
  process.exit(2);
}

// Warm-up, as on the Swift side, so the JIT has compiled both paths.
for (let i = 0; i < Math.min(iterations, 1000); i++) decryptApiKey(encryptApiKey(API_KEY));

const sealed = new Array(iterations);
const sealStart = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) sealed[i] = encryptApiKey(API_KEY);
const sealSeconds = Number(process.hrtime.bigint() - sealStart) / 1e9;

let openedLength = 0;
const openStart = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) openedLength += decryptApiKey(sealed[i]).length;
const openSeconds = Number(process.hrtime.bigint() - openStart) / 1e9;
if (openedLength !== iterations * API_KEY.length) throw new Error('round trip lost characters');

console.log(JSON.stringify({
  seal_per_s: iterations / sealSeconds,
  open_per_s: iterations / openSeconds,
  pair_per_s: iterations / (sealSeconds + openSeconds),
}));
