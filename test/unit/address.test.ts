/** The one address formatter (lib/address.ts): SPEC.md §8 puts the entrance in every printed address. */
import { describe, expect, it } from 'vitest';
import { addressOf } from '../../lib/address.js';

describe('addressOf', () => {
  it('prints the entrance when the unit has one, so two entrances never print alike', () => {
    expect(addressOf({ building: '3栋', entrance: '1单元', room: '1201' })).toBe('3栋 1单元 1201');
    expect(addressOf({ building: '3栋', entrance: '2单元', room: '1201' })).toBe('3栋 2单元 1201');
    expect(addressOf({ building: '1栋', room: '1801' })).toBe('1栋 1801');
  });

  it('joins with the separator asked for (the vouchers’ 核算项目) and leaves out what was not recorded', () => {
    expect(addressOf({ building: '3栋', entrance: '2单元', room: '1201' }, '-')).toBe('3栋-2单元-1201');
    expect(addressOf({ building: '1栋', entrance: '', room: undefined })).toBe('1栋');
  });
});
