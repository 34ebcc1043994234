/**
 * The Cognito user pool behind the API's JWT authorizer: one group per role of API.md, the
 * custom attributes `estates` and `units` that scope a user (tokens carry them as
 * `custom:estates` / `custom:units`), and one app client for the cashier consoles, kiosks, gate
 * controllers and accountants' tools.
 *
 * - Admins create users; nobody signs up.
 * - The app client may read the scope attributes but not write them: a client that could write
 *   `custom:estates` would let any user widen their own scope with UpdateUserAttributes.
 * - The API needs the ID token (the access token carries `cognito:groups` but no custom attributes).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLES, type Role } from '../../lib/billing/context.js';
import type { StageConfig } from '../config.js';

/** Roles a person or a device signs in as; `scheduler` is the system's own actor, never a user. */
export const USER_ROLES = ROLES.filter((r): r is Exclude<Role, 'scheduler'> => r !== 'scheduler');

const ROLE_DESCRIPTIONS: Record<(typeof USER_ROLES)[number], string> = {
  admin: 'Sets up estates, units, spaces, tariff versions and holiday calendars',
  cashier: 'Quotes, issues and voids invoices, takes counter payments, renovations, rentals, refunds',
  accountant: 'Reads everything in their estates, exports ledgers and summaries; changes nothing',
  owner: "Reads and pays their own units' invoices at a kiosk",
  kiosk: 'Self-service terminal: quotes, parking sessions by plate, kiosk parking payments',
  gate: 'Gate controller: records parking entries and exits',
};

/** Cognito's maximum; a comma-separated list of estate or unit ids. */
const SCOPE_ATTRIBUTE_MAX = 2048;

export class UserDirectory extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly groups: UserPoolGroup[];

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    const plus = config.cognitoFeaturePlan === 'PLUS';
    this.userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Staff forget passwords at the counter, not at home: an admin resets them
      // (admin-set-user-password), which also works for users without an e-mail address.
      accountRecovery: AccountRecovery.NONE,
      customAttributes: {
        estates: new StringAttribute({ minLen: 0, maxLen: SCOPE_ATTRIBUTE_MAX, mutable: true }),
        units: new StringAttribute({ minLen: 0, maxLen: SCOPE_ATTRIBUTE_MAX, mutable: true }),
      },
      featurePlan: plus ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(plus ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: config.retainData,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.groups = USER_ROLES.map(
      (role) =>
        new UserPoolGroup(this, `Group-${role}`, {
          userPool: this.userPool,
          groupName: role,
          description: ROLE_DESCRIPTIONS[role],
        }),
    );

    this.client = this.userPool.addClient('ApiClient', {
      generateSecret: false,
      // SRP for the apps; USER_PASSWORD_AUTH (over TLS) for devices and the CLI (docs/deploy.md).
      authFlows: { userSrp: true, userPassword: true },
      // No hosted UI or OAuth redirects: every client signs in through the Cognito API.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, phoneNumber: true, fullname: true })
        .withCustomAttributes('estates', 'units'),
      writeAttributes: new ClientAttributes().withStandardAttributes({
        email: true,
        phoneNumber: true,
        fullname: true,
      }),
    });

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is OPTIONAL (TOTP), not REQUIRED: kiosk and gate accounts are unattended devices that cannot answer a second factor. Staff enrol TOTP by policy; admins can see enrolment with admin-get-user.',
    });
    if (!plus) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Essentials plan by default: Plus (threat protection) is priced higher per monthly active user, and owners paying at kiosks are most of the users; for them it would cost more than the rest of the stack. Users are admin-created, self sign-up is off, passwords are 12+ characters with history. -c cognitoFeaturePlan=PLUS turns on enforced threat protection.',
      });
    }
  }
}
