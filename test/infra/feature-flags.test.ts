/**
 * cdk.json sets every feature flag aws-cdk-lib recommends, so `cdk synth` prints no "N feature
 * flags are not configured" notice. The CLI decides that from the feature-flag report in the cloud
 * assembly; this reads the same report by the same rule (aws-cdk's FlagOperations.filterNeedsAttention:
 * not set by the user, and behaving unset unlike the recommended value). The report depends on the
 * app's context only, not on its stacks, so an empty app with cdk.json's context is enough.
 */
import { isDeepStrictEqual } from 'node:util';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CDK_JSON_CONTEXT } from './synth.js';

interface FlagInfo {
  recommendedValue?: unknown;
  userValue?: unknown;
  unconfiguredBehavesLike?: { v2?: unknown };
}

/** Flags the CLI no longer reports (aws-cdk's OBSOLETE_FLAGS). */
const OBSOLETE = new Set([
  '@aws-cdk/core:enableStackNameDuplicates',
  '@aws-cdk/aws-s3:grantWriteWithoutAcl',
  '@aws-cdk/aws-kms:defaultKeyPolicies',
]);

function reportedFlags(app: App): [string, FlagInfo][] {
  const artifacts = Object.values(app.synth().manifest.artifacts ?? {});
  const reports = artifacts.filter((a) => a.type === 'cdk:feature-flag-report');
  return reports.flatMap((r) => Object.entries((r.properties as { flags: Record<string, FlagInfo> }).flags));
}

/** What the CLI counts in its notice. */
function unconfigured(app: App): string[] {
  return reportedFlags(app)
    .filter(([name, f]) => !OBSOLETE.has(name) && f.userValue === undefined)
    .filter(([, f]) => (f.unconfiguredBehavesLike?.v2 ?? false) !== f.recommendedValue)
    .map(([name]) => name);
}

describe('feature flags (cdk.json)', () => {
  it('leave nothing for the CLI to call unconfigured', () => {
    expect(unconfigured(new App({ context: CDK_JSON_CONTEXT }))).toEqual([]);
  });

  it('would be reported without cdk.json (the check can fail)', () => {
    expect(unconfigured(new App()).length).toBeGreaterThan(50);
  });

  it('are set to the recommended values (a deliberate exception goes here and in docs/deploy.md)', () => {
    const differing = reportedFlags(new App({ context: CDK_JSON_CONTEXT }))
      .filter(([, f]) => f.userValue !== undefined && !isDeepStrictEqual(f.userValue, f.recommendedValue))
      .map(([name, f]) => `${name}: ${JSON.stringify(f.userValue)}`);
    expect(differing).toEqual([]);
  });
});
