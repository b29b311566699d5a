#!/usr/bin/env node
// `npm run token`: prints the admin token that the first start generated in DATA_DIR/admin-token,
// so it can be found after the startup banner scrolled away:
//
//   TOKEN=$(npm run -s token)
//
// The token goes to stdout and nothing else does; explanations go to stderr. DATA_DIR is read
// like the server reads it (environment, then .env, default ./data relative to this directory).
// The script only reads the file: it never creates tokens or touches the database.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

try {
  process.loadEnvFile();
} catch {
  /* no .env file */
}

const dataDir = process.env.DATA_DIR || './data';
const dir = isAbsolute(dataDir) ? dataDir : resolve(process.cwd(), dataDir);
const file = resolve(dir, 'admin-token');
const fail = (message) => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

if (existsSync(file)) {
  const token = readFileSync(file, 'utf8').trim();
  if (!token) fail(`${file} is empty: delete it and restart Switchboard to generate a new admin token.`);
  if (process.env.API_KEY) {
    process.stderr.write(`Note: API_KEY is set, so Switchboard may not have checked this token since; API_KEY works as a Bearer token too.\n`);
  }
  process.stdout.write(`${token}\n`);
  if (process.stdout.isTTY) process.stderr.write(`(from ${file}; send it as "Authorization: Bearer <token>")\n`);
} else if (process.env.API_KEY) {
  fail('API_KEY is set: use its value as the token ("Authorization: Bearer $API_KEY"). No admin token is generated.');
} else if (process.env.ADMIN_PASSWORD) {
  fail('ADMIN_PASSWORD is set: POST /api/auth/login {"password": …} returns a JWT. No admin token is generated.');
} else {
  fail(
    `No admin token in ${dir} yet. Start Switchboard once (npm start): with neither API_KEY nor an admin ` +
      'password, the first start generates one there.',
  );
}
