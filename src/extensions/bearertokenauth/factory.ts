import { defineExtension } from '../../component/types.js';
import { createBearerTokenAuth } from './bearer-token-auth.js';
import {
  type BearerTokenAuthConfig,
  bearerTokenAuthConfigSchema,
  createDefaultConfig,
  validate,
} from './config.js';

/** `bearertokenauth`: token authentication for receivers (`auth: { authenticator: … }`) and exporters. */
export const bearerTokenAuthExtensionFactory = defineExtension<BearerTokenAuthConfig>({
  type: 'bearertokenauth',
  stability: 'beta',
  configSchema: bearerTokenAuthConfigSchema,
  createDefaultConfig,
  validate,
  create: createBearerTokenAuth,
});
