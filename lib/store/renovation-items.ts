/**
 * How a renovation case is written: every change moves its state under its version lock, so two
 * cashiers acting on one case at once cannot both commit. The rules are in renovation/cases.ts.
 */
import type { TxItem } from './db.js';
import { key } from './keys.js';

/** Attributes a change sets, lists it appends to, attributes it removes. */
export interface CaseChanges {
  set?: Record<string, unknown>;
  append?: Record<string, unknown[]>;
  remove?: string[];
}

/** The case's update under its version lock; the state moves to `next`. */
export function caseUpdateItem(
  c: { caseId: string; version: number },
  next: string,
  changes: CaseChanges,
): TxItem {
  const names: Record<string, string> = { '#state': 'state', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':state': next,
    ':version': c.version,
    ':nextVersion': c.version + 1,
  };
  const sets = ['#state = :state', '#version = :nextVersion'];
  let i = 0;
  for (const [name, value] of Object.entries(changes.set ?? {})) {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
    i++;
  }
  for (const [name, list] of Object.entries(changes.append ?? {})) {
    names[`#a${i}`] = name;
    values[`:a${i}`] = list;
    sets.push(`#a${i} = list_append(#a${i}, :a${i})`);
    i++;
  }
  const removes = (changes.remove ?? []).map((name) => {
    names[`#r${i}`] = name;
    return `#r${i++}`;
  });
  return {
    Update: {
      Key: key.renovation(c.caseId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: '#version = :version',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
