/**
 * The project's one rule for tokens: values that stand for something resolved later (a cdk8s `Lazy`,
 * an aws-cdk-lib token, which may be an object, a string such as `${Token[TOKEN.12]}` or a number
 * such as -1.888e+289). README "Tokens and lazy values" and STYLE.md "Errors" state it for users and
 * contributors:
 *
 *  - A value the library passes on unchanged (a container image, a label or annotation value, a query)
 *    may be a token. It is checked when it can be resolved — a cdk8s `Lazy` when the app is
 *    synthesized (`checkWhenResolved`), an aws-cdk-lib token when its side can resolve it to a literal —
 *    and otherwise written out unchecked. The field's docs say so.
 *  - A value the library computes with (weights, durations, counts, replicas, ports, the names other
 *    names derive from) must be known when it is given; a token there is refused.
 *  - Never a TypeError, and a refused token prints readably (`show()` in validate.ts uses `describeToken`).
 *
 * Framework-free (only `constructs`), so that both sides and src/strategy can use it.
 */
import { IConstruct } from 'constructs';

/** aws-cdk-lib encodes a number token as a double whose top 16 bits are 0xFBFF (about -1.888e+289). */
const NUMBER_TOKEN_MARKER = 0xfbff;

/** A cdk8s `Lazy`: an object that produces its value when the app is synthesized. */
interface Producer {
  produce(): unknown;
}

function isLazy(value: unknown): value is Producer {
  return typeof value === 'object' && value !== null && typeof (value as any).produce === 'function';
}

/** Whether `value` is a token: a cdk8s `Lazy`, or an aws-cdk-lib token (object, string or number). */
export function isToken(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${Token[');
  if (typeof value === 'number') {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value);
    return view.getUint16(0) === NUMBER_TOKEN_MARKER;
  }
  return isLazy(value) || (typeof value === 'object' && value !== null && typeof (value as any).resolve === 'function');
}

/** How a message shows a token it refuses: never its encoding. */
export function describeToken(value: unknown): string {
  return typeof value === 'string' ? `an unresolved token ('${value}')` : 'an unresolved token';
}

/**
 * Runs `check` on `value` now when it is a plain value; on a cdk8s `Lazy`, when the app is synthesized
 * (a node validation on `scope`, reporting the same message); accepts any other token unchecked (it
 * resolves after synthesis, e.g. through a cdk8s resolver). `check` throws the documented message,
 * starting with `scope`'s path.
 */
export function checkWhenResolved<T>(scope: IConstruct, value: T, check: (resolved: T) => void): void {
  if (!isToken(value)) {
    check(value);
    return;
  }
  if (!isLazy(value)) return;
  scope.node.addValidation({
    validate: () => {
      try {
        check(value.produce() as T);
        return [];
      } catch (e) {
        // The framework prefixes the path itself.
        return [(e as Error).message.replace(`${scope.node.path}: `, '')];
      }
    },
  });
}
