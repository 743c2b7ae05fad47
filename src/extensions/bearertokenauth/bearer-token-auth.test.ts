import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientAuthenticator, ServerAuthenticator } from '../../component/auth.js';
import { scrubSecrets } from '../../config/secret.js';
import { describeComponent } from '../../testing/conformance.js';
import { TestHost, testSettings } from '../../testing/settings.js';
import { TOKEN_FILE_POLL_MS } from './bearer-token-auth.js';
import { bearerTokenAuthExtensionFactory as factory } from './factory.js';

describeComponent(factory, { token: 'conformance-token' });

const dir = mkdtempSync(join(tmpdir(), 'bearer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function create(config: Record<string, unknown>) {
  const parsed = factory.configSchema.parse({ ...factory.createDefaultConfig(), ...config });
  return factory.create(testSettings('extension', 'bearertokenauth'), parsed) as ReturnType<
    typeof factory.create
  > &
    ServerAuthenticator &
    ClientAuthenticator;
}

const verdict = (auth: ServerAuthenticator, headers: Record<string, string>) => {
  try {
    auth.authenticate(headers);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('bearertokenauth', () => {
  it.each([
    [{}, 'missing or empty Authorization header'],
    [{ authorization: '' }, 'missing or empty Authorization header'],
    [{ authorization: 'Bearer s3cret-token' }, 'ok'],
    [{ authorization: 'bearer   s3cret-token ' }, 'ok'],
    [{ authorization: 'Bearer other-token' }, 'the bearer token is not valid'],
    [{ authorization: 'Basic s3cret-token' }, 'the Authorization header must be "Bearer <token>"'],
    [{ authorization: 's3cret-token' }, 'the Authorization header must be "Bearer <token>"'],
  ])('answers %j with %j, never repeating what was sent', (headers, expected) => {
    expect(verdict(create({ token: 's3cret-token' }), headers)).toBe(expected);
  });

  it('takes any of several tokens, a custom header and scheme, and sends the first', () => {
    const auth = create({
      tokens: ['first-token', 'second-token'],
      header: 'X-Api-Key',
      scheme: 'Token',
    });
    expect(verdict(auth, { 'x-api-key': 'Token second-token' })).toBe('ok');
    expect(verdict(auth, { authorization: 'Token second-token' })).toBe(
      'missing or empty X-Api-Key header',
    );
    expect(auth.authHeaders()).toEqual({ 'x-api-key': 'Token first-token' });
    const bare = create({ token: 'bare-token', scheme: '' });
    expect(verdict(bare, { authorization: 'bare-token' })).toBe('ok');
    expect(bare.authHeaders()).toEqual({ authorization: 'bare-token' });
  });

  it('reads the token file at start and again when it changes (also when replaced)', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'file-token-1\n\n');
    const auth = create({ filename: file, token: 'ignored-token' });
    await auth.start(new TestHost());
    try {
      expect(verdict(auth, { authorization: 'Bearer file-token-1' })).toBe('ok');
      expect(verdict(auth, { authorization: 'Bearer ignored-token' })).toBe(
        'the bearer token is not valid',
      );
      // Empty lines are no token: "Bearer " alone never passes.
      expect(verdict(auth, { authorization: 'Bearer ' })).not.toBe('ok');
      // Replaced the way Kubernetes replaces a mounted secret: a new file renamed over it.
      writeFileSync(`${file}.new`, 'file-token-2\nfile-token-3\n');
      renameSync(`${file}.new`, file);
      await expect
        .poll(() => verdict(auth, { authorization: 'Bearer file-token-3' }), {
          timeout: 10 * TOKEN_FILE_POLL_MS,
        })
        .toBe('ok');
      expect(verdict(auth, { authorization: 'Bearer file-token-1' })).toBe(
        'the bearer token is not valid',
      );
      expect(auth.authHeaders()).toEqual({ authorization: 'Bearer file-token-2' });
      // Tokens read from the file are scrubbed from anything the process prints.
      expect(scrubSecrets('token=file-token-2')).toBe('token=[REDACTED]');
    } finally {
      await auth.shutdown();
    }
  });

  it('fails to start when the token file cannot be read, naming the file', async () => {
    const auth = create({ filename: join(dir, 'missing') });
    await expect(auth.start(new TestHost())).rejects.toThrow(
      /cannot read the token file .*missing/,
    );
  });

  it.each([
    [{}, 'token: set token, tokens or filename (no bearer token given)'],
    [{ token: 'a-token', tokens: ['b-token'] }, 'tokens: set either token or tokens, not both'],
  ])('refuses %j', (config, message) => {
    const parsed = factory.configSchema.parse({ ...factory.createDefaultConfig(), ...config });
    expect(factory.validate!(parsed).map((i) => `${i.path}: ${i.message}`)).toEqual([message]);
  });
});
