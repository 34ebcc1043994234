/**
 * The one way a unit's address is written for people: 楼栋, 单元 when the unit has one, 房号
 * (3栋 2单元 1201). SPEC.md §8 makes the entrance part of every printed address, so 3栋1单元1201
 * and 3栋2单元1201 never print alike. Pure and dependency-free: the pages import it too.
 * `sep` joins the parts: a space where people read, `-` in the vouchers' 核算项目 (docs/accounting.md).
 * A part a document did not record is left out.
 */
export const addressOf = (
  u: { building?: string | undefined; entrance?: string | undefined; room?: string | undefined },
  sep = ' ',
): string => [u.building, u.entrance, u.room].filter(Boolean).join(sep);
