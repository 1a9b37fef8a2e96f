// The seed's API-key encryption, verbatim, to produce fixtures for SeedFixtures.swift.
//
// Usage (test key only, never a real one):
//   ENCRYPTION_KEY=<64 hex> node Tests/AgentSecretsTests/Fixtures/seed-encrypt.mjs 'plaintext' ...
// Prints one JSON object per plaintext: {"plaintext": ..., "encrypted": ...}.
// Also importable: `import { encryptApiKey, decryptApiKey } from './seed-encrypt.mjs'`.
import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { fileURLToPath } from 'url';

const ENCRYPTION_KEY = process.env.ENCRYPTION_KEY;
const ALGORITHM = 'aes-256-gcm';

export function encryptApiKey(apiKey) {
  const iv = randomBytes(16);
  const cipher = createCipheriv(ALGORITHM, Buffer.from(ENCRYPTION_KEY, 'hex'), iv);
  let encrypted = cipher.update(apiKey, 'utf8', 'hex');
  encrypted += cipher.final('hex');
  const authTag = cipher.getAuthTag().toString('hex');
  return `${iv.toString('hex')}:${authTag}:${encrypted}`;
}

export function decryptApiKey(encryptedData) {
  const [ivHex, authTagHex, encryptedHex] = encryptedData.split(':');
  const iv = Buffer.from(ivHex, 'hex'); const authTag = Buffer.from(authTagHex, 'hex'); const encrypted = Buffer.from(encryptedHex, 'hex');
  const decipher = createDecipheriv(ALGORITHM, Buffer.from(ENCRYPTION_KEY, 'hex'), iv);
  decipher.setAuthTag(authTag);
  let decrypted = decipher.update(encrypted, undefined, 'utf8');
  decrypted += decipher.final('utf8');
  return decrypted;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!/^[0-9a-fA-F]{64}$/.test(ENCRYPTION_KEY ?? '')) {
    console.error('set ENCRYPTION_KEY to 64 hex characters (a test key)');
    process.exit(2);
  }
  for (const plaintext of process.argv.slice(2)) {
    const encrypted = encryptApiKey(plaintext);
    if (decryptApiKey(encrypted) !== plaintext) throw new Error('round trip failed');
    console.log(JSON.stringify({ plaintext, encrypted }));
  }
}
