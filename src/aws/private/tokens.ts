/**
 * Numbers that may be tokens. A token that resolves to a number at construction (a `Lazy` that can
 * already produce) is checked like any number; one that only CloudFormation resolves (a parameter, an
 * attribute) is shown as its resolved form, never as the large negative number aws-cdk-lib encodes
 * number tokens with.
 */
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** `value` as a plain number when it is one or resolves to one now; otherwise undefined. */
export function numberNow(scope: IConstruct, value: number): number | undefined {
  if (!Token.isUnresolved(value)) return value;
  try {
    const resolved = Stack.of(scope).resolve(value);
    return typeof resolved === 'number' ? resolved : undefined;
  } catch {
    // A Lazy that cannot produce yet: not known now.
    return undefined;
  }
}

/** How a number that may be a token reads in a message: the number, or its resolved CloudFormation form. */
export function showNumber(scope: IConstruct, value: number): string {
  if (!Token.isUnresolved(value)) return String(value);
  try {
    return JSON.stringify(Stack.of(scope).resolve(value));
  } catch {
    return 'a value known only at deployment';
  }
}
