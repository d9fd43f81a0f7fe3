import { DialerError } from '../errors.ts';
import { listConfigIssues } from './config-issues.ts';
import { campaignConfigSchema, type CampaignConfig } from './config-schema.ts';

/**
 * Validates a campaign config (an operator's file, or a stored row's config JSON) and applies the
 * defaults. Throws DialerError('invalid_config') naming every broken rule on one line, with the first
 * offending field as `field`.
 */
export function parseCampaignConfig(input: unknown): CampaignConfig {
  const result = campaignConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = listConfigIssues(result.error);
  const lines = issues.map(({ field, rule }) => `${field}: ${rule}`);
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  throw new DialerError('invalid_config', `invalid campaign config (${count}): ${lines.join('; ')}`, issues[0]?.field);
}
